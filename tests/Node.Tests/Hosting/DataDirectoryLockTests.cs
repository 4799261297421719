using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>One holder per data directory (issue 12 item 5); the cross-process cases are in NodeLifecycleTests.</summary>
public sealed class DataDirectoryLockTests
{
    [Fact]
    public void SecondAcquisition_IsRefusedNamingDirectoryAndHolder_UntilTheFirstIsReleased()
    {
        using var directory = new NodeDirectory();
        var first = DataDirectoryLock.Acquire(directory.Data);
        var refused = Assert.Throws<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(directory.Data));
        Assert.Equal(Environment.ProcessId, refused.Holder);
        Assert.Contains(directory.Data.Path, refused.Message);
        Assert.Contains($"process {Environment.ProcessId}", refused.Message);
        first.Dispose();
        DataDirectoryLock.Acquire(directory.Data).Dispose();
    }

    [Fact]
    public async Task NodeHost_OnAHeldDirectory_IsRefused_AndReleasesItsLockWhenDisposed()
    {
        using var directory = new NodeDirectory();
        await using (directory.CreateHost())
        {
            Assert.Throws<DataDirectoryInUseException>(() => directory.CreateHost());
        }
        await using var again = directory.CreateHost();
    }

    [Fact]
    public void Init_IntoADirectoryAnotherInitHolds_IsRefused_AndALeftOverLockFileDoesNotCountAsContent()
    {
        var root = Path.Combine(Path.GetTempPath(), "p2pe-lock-" + Guid.NewGuid().ToString("N"));
        try
        {
            var chain = new LedgerHarness();
            Directory.CreateDirectory(root);
            var genesis = Path.Combine(root, "genesis.json");
            File.WriteAllText(genesis, chain.Document.ToJson());
            var data = new DataDirectory(Path.Combine(root, "data"));
            Directory.CreateDirectory(data.Path);
            var kdf = new ScryptKdf(1 << 10, 8, 1);
            using (DataDirectoryLock.Acquire(data))
                Assert.Throws<DataDirectoryInUseException>(() => NodeInitializer.Initialize(genesis, data, "pw", chain.Validator, kdf));
            Assert.True(File.Exists(DataDirectoryLock.PathIn(data)));
            Assert.Equal(chain.Validator.Address, NodeInitializer.Initialize(genesis, data, "pw", chain.Validator, kdf));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void MissingDirectory_IsASetupError_NotAFreshDirectory()
    {
        var missing = new DataDirectory(Path.Combine(Path.GetTempPath(), "p2pe-missing-" + Guid.NewGuid().ToString("N")));
        Assert.Contains("does not exist: run p2pe-node init first", Assert.Throws<NodeSetupException>(() => DataDirectoryLock.Acquire(missing)).Message);
        Assert.False(Directory.Exists(missing.Path));
    }
}
