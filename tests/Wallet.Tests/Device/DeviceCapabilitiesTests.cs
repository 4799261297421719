using P2PEnergy.Wallet.Failures;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>
/// Issue 17: the capabilities document a device agent publishes for its bot — the next intervals' envelopes in the
/// device's local time, read back by start; a missing file is "not published yet", a broken one a clear error.
/// </summary>
public sealed class DeviceCapabilitiesTests : IDisposable
{
    private static readonly ulong Start = (ulong)new DateTimeOffset(2026, 6, 1, 6, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private readonly string _home = Path.Combine(Path.GetTempPath(), "p2pe-capabilities-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Forecast_ListsTheHorizonInLocalTime_WithPendingIntervalsCounted()
    {
        var battery = new BatteryDriver(1_000, 4_000, 4_000, 0.5, 1.0);
        var doc = DeviceCapabilities.Forecast("MTR-07", battery, Start, 60, TimeSpan.FromMinutes(330), Start);
        Assert.Equal(DeviceCapabilities.Horizon, doc.Intervals.Count);
        Assert.Equal(("+05:30", "2026-06-01T12:00:00+05:30", "2026-06-01T12:01:00+05:30"), (doc.UtcOffset, doc.Intervals[0].Start, doc.Intervals[1].Start));
        Assert.Equal("50.0", doc.Facts["stateOfChargePercent"]);
        Assert.Equal(Enumerable.Range(0, DeviceCapabilities.Horizon).Select(k => battery.Capability(new DeviceInterval(Start + (ulong)k * 60, 60), k)),
            doc.Intervals.Select(e => e.Capability));
    }

    [Fact]
    public void Published_IsReadBackByIntervalStart_AndNullBeyondTheHorizon()
    {
        var ev = new EvChargerDriver(TimeSpan.FromHours(8), TimeSpan.FromHours(18), 40_000, 7_000, TimeSpan.FromHours(2));
        var path = DeviceCapabilities.PathFor(_home, "MTR/../03");
        Assert.StartsWith(Path.Combine(_home, "device"), path);
        DeviceCapabilities.Forecast("MTR/../03", ev, Start, 60, TimeSpan.FromHours(2), Start).Publish(path);
        var read = DeviceCapabilities.Read(path)!;
        Assert.Equal("08:00–18:00 local", read.Facts["pluggedIn"]);
        Assert.Equal(ev.Capability(new DeviceInterval(Start + 60, 60), 1), read.For(Start + 60));
        Assert.Null(read.For(Start + DeviceCapabilities.Horizon * 60));
        Assert.Null(read.For(Start + 30));
    }

    [Fact]
    public void NotPublishedYet_IsNull_AndACorruptFile_IsAClearError()
    {
        var path = DeviceCapabilities.PathFor(_home, "MTR-01");
        Assert.Null(DeviceCapabilities.Read(path));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{ not json");
        var e = Assert.Throws<WalletException>(() => DeviceCapabilities.Read(path));
        Assert.Equal("CORRUPT_CAPABILITIES", e.Reason);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void UnalignedFirstInterval_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceCapabilities.Forecast("M", new FlexibleLoadDriver(1_000, 0), Start + 7, 60, TimeSpan.Zero, Start));
        Assert.Contains($"{Start + 7}", e.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }
}
