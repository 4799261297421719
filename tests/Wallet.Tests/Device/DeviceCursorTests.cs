using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>The resume cursor in $P2PE_HOME/device/&lt;meter&gt;.json survives a restart and names the next interval.</summary>
public sealed class DeviceCursorTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "p2pe-cursor-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void FirstRun_HasNoCursor_AndAsksForTheLatestInterval()
    {
        var cursor = new DeviceCursor(_home, "MTR-A");
        Assert.Null(cursor.LastInterval());
        Assert.Equal(0UL, cursor.ResumeFrom(60));
        Assert.Equal(Path.Combine(_home, "device", "MTR-A.json"), cursor.FilePath);
    }

    [Fact]
    public void Saved_IsReadBackByANewInstance_AndResumesAfterIt()
    {
        new DeviceCursor(_home, "MTR-A").Save(1_800_000_000);
        new DeviceCursor(_home, "MTR-A").Save(1_800_000_060);
        var restarted = new DeviceCursor(_home, "MTR-A");
        Assert.Equal(1_800_000_060UL, restarted.LastInterval());
        Assert.Equal(1_800_000_120UL, restarted.ResumeFrom(60));
        Assert.Null(new DeviceCursor(_home, "MTR-B").LastInterval());
    }

    [Fact]
    public void StateOfCharge_IsSavedWithTheInterval_WhenTheDeviceStoresEnergy()
    {
        new DeviceCursor(_home, "MTR-A").Save(1_800_000_000, 0.37);
        Assert.Equal(0.37, new DeviceCursor(_home, "MTR-A").StateOfCharge());
        new DeviceCursor(_home, "MTR-A").Save(1_800_000_060);
        Assert.Null(new DeviceCursor(_home, "MTR-A").StateOfCharge());
    }

    [Fact]
    public void MeterIdsCannotEscapeTheDeviceFolder()
    {
        var cursor = new DeviceCursor(_home, "../../etc/passwd");
        Assert.Equal(Path.Combine(_home, "device"), Path.GetDirectoryName(cursor.FilePath));
    }

    [Fact]
    public void Corrupt_IsAStorageFailure()
    {
        var cursor = new DeviceCursor(_home, "MTR-A");
        Directory.CreateDirectory(Path.GetDirectoryName(cursor.FilePath)!);
        File.WriteAllText(cursor.FilePath, "{not json");
        var e = Assert.Throws<WalletException>(() => cursor.LastInterval());
        Assert.Equal(("CORRUPT_CURSOR", ExitCode.Storage), (e.Reason, e.ExitCode));
    }

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }
}
