using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Tests.Consensus.Simulation;

namespace P2PEnergy.Node.Tests.Consensus.Wal;

/// <summary>Segments per height: repair of a torn tail with a warning, refusal of damage, rotation and pruning.</summary>
public sealed class ConsensusWalTests
{
    private static WalRecord Timeout(uint round) => new() { Timeout = new WalTimeout { Height = 7, Round = round, Step = 1 } };

    [Fact]
    public void Records_RoundTrip_InOrder()
    {
        var storage = new MemoryWalStorage();
        using (var wal = new ConsensusWal(storage, _ => { }))
        {
            wal.Begin(7);
            wal.Append(Timeout(0));
            wal.Append(Timeout(1));
            wal.Sync();
        }
        Assert.Equal([Timeout(0), Timeout(1)], new ConsensusWal(storage, _ => { }).Read(7));
        Assert.Equal(["wal-00000000000000000007.log"], storage.List());
    }

    [Fact]
    public void TornTail_IsTruncated_WithAWarningNamingTheOffset()
    {
        var storage = new MemoryWalStorage();
        var name = ConsensusWal.SegmentName(7);
        byte[] whole = [.. WalFrames.Header(), .. WalFrames.Frame(Timeout(0).ToByteArray())];
        storage.Overwrite(name, [.. whole, .. WalFrames.Frame(Timeout(1).ToByteArray())[..6]]);
        var warnings = new List<string>();
        Assert.Equal([Timeout(0)], new ConsensusWal(storage, warnings.Add).Read(7));
        Assert.Equal($"consensus WAL {name}: torn tail at offset {whole.Length} (6 bytes after the last whole record), truncated", Assert.Single(warnings));
        Assert.Equal(whole, storage.Read(name)); // repaired on disk
    }

    [Fact]
    public void ValidChecksumButNotARecord_IsRefused()
    {
        var storage = new MemoryWalStorage();
        storage.Overwrite(ConsensusWal.SegmentName(7), [.. WalFrames.Header(), .. WalFrames.Frame([0xFF, 0xFF, 0xFF])]);
        var e = Assert.Throws<WalException>(() => new ConsensusWal(storage, _ => { }).Read(7));
        Assert.Contains("does not parse", e.Message);
    }

    [Fact]
    public void Continue_AppendsAfterTheExistingRecords()
    {
        var storage = new MemoryWalStorage();
        using (var wal = new ConsensusWal(storage, _ => { })) { wal.Begin(7); wal.Append(Timeout(0)); wal.Sync(); }
        using (var wal = new ConsensusWal(storage, _ => { })) { wal.Read(7); wal.Continue(7); wal.Append(Timeout(1)); wal.Sync(); }
        Assert.Equal([Timeout(0), Timeout(1)], new ConsensusWal(storage, _ => { }).Read(7));
    }

    [Fact]
    public void Prune_KeepsTheCurrentHeightAndTheLastFew()
    {
        var storage = new MemoryWalStorage();
        using var wal = new ConsensusWal(storage, _ => { });
        for (ulong h = 1; h <= 6; h++) wal.Begin(h);
        wal.Prune();
        Assert.Equal([4UL, 5UL, 6UL], wal.Heights());
    }

    [Fact]
    public void Append_BeforeASegmentIsOpen_IsRefused()
        => Assert.Throws<InvalidOperationException>(() => new ConsensusWal(new MemoryWalStorage(), _ => { }).Append(Timeout(0)));
}
