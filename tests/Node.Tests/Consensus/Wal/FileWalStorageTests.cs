using P2PEnergy.Node.Consensus.Wal;

namespace P2PEnergy.Node.Tests.Consensus.Wal;

/// <summary>The WAL directory on a real file system: appends, fsync, truncation, atomic replacement.</summary>
public sealed class FileWalStorageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("p2pe-wal-").FullName;

    [Fact]
    public void AppendSyncReadTruncate_RoundTrip()
    {
        var storage = new FileWalStorage(_directory);
        using (var file = storage.OpenAppend("wal-1.log"))
        {
            file.Append([1, 2, 3]);
            file.Sync();
            file.Append([4, 5]);
            file.Sync();
        }
        Assert.Equal([1, 2, 3, 4, 5], storage.Read("wal-1.log"));
        storage.Truncate("wal-1.log", 2);
        Assert.Equal([1, 2], storage.Read("wal-1.log"));
        Assert.Null(storage.Read("missing"));
    }

    [Fact]
    public void WriteAtomic_ReplacesTheFile_AndLeavesNoTemporary()
    {
        var storage = new FileWalStorage(_directory);
        storage.WriteAtomic("last-signed.json", [1]);
        storage.WriteAtomic("last-signed.json", [2, 2]);
        Assert.Equal([2, 2], storage.Read("last-signed.json"));
        Assert.Equal(["last-signed.json"], storage.List());
        Assert.Equal(["last-signed.json"], Directory.EnumerateFiles(_directory).Select(Path.GetFileName));
        storage.Delete("last-signed.json");
        Assert.Empty(storage.List());
    }

    [Fact]
    public void PathsOutsideTheDirectory_AreRefused()
        => Assert.Throws<ArgumentException>(() => new FileWalStorage(_directory).Read("../etc/passwd"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
