using Google.Protobuf;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Consensus.Simulation;
using P2PEnergy.Node.Tests.Ledger;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Consensus.Cluster;

/// <summary>
/// The WAL's promise at the node level (issue 14, "crash at every WAL write point"): a validator running the node's
/// consensus path over its own SQLite store dies at one of its consensus-log writes — losing or tearing what it had not
/// synced, its mempool and caches gone, its store as the last committed transaction left it — and boots again from its
/// store and log. At every write point of a scripted run it never signs two different messages for one step, the
/// cluster reaches the height with it, every transaction commits once, and its store still replays (verify).
/// </summary>
public sealed class NodeCrashAtEveryWritePointTests(ITestOutputHelper output)
{
    private const int Victim = 0;
    private const ulong Height = 5; // the victim proposes height 4 in this chain's rotation
    private const ulong Seed = 41;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private static (LedgerCluster Cluster, MemoryWalStorage Storage, List<Transaction> Sent) Scripted()
    {
        var storage = new MemoryWalStorage();
        var c = new LedgerCluster(validators: 4, seed: Seed, walStorage: i => i == Victim ? storage : null);
        var sent = new List<Transaction>();
        for (ulong n = 1; n <= 6; n++)
        {
            var tx = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(c.Chain.Alice.Address.Bytes), Amount = n, Nonce = n }, c.Chain.Operator);
            // Through the victim, which gossips them on: its proposals carry them, and after a crash its mempool is empty, so a
            // proposal it lost from its log and built again would differ (a double sign the checker sees).
            c.Scheduler.After((long)n * 450, () => Assert.True(c.Submit(Victim, tx)));
            sent.Add(tx);
        }
        return (c, storage, sent);
    }

    /// <summary>
    /// CometBFT's priv-validator rule, checked at the crash: whatever left the process at a height the store had not
    /// committed is covered by the last-signed record that survived, so no restart can sign that step again differently.
    /// </summary>
    private static void WatchTheGuard(LedgerCluster c, MemoryWalStorage storage)
    {
        (ulong Height, int Round, Step Step)? lastSent = null;
        c.Nodes[Victim].Signed += (node, message) =>
        {
            if (node.Crashes > 0) return;
            var step = message.BodyCase == ConsensusMessage.BodyOneofCase.Proposal
                ? (message.Proposal.Proposal.Height, (int)message.Proposal.Proposal.Round, Step.Propose)
                : (message.Vote.Vote.Height, (int)message.Vote.Vote.Round, message.Vote.Vote.VoteType == VoteType.Prevote ? Step.Prevote : Step.Precommit);
            if (lastSent is null || step.CompareTo(lastSent.Value) > 0) lastSent = step;
        };
        c.Nodes[Victim].Crashed += node =>
        {
            if (lastSent is not { } sent || sent.Height <= node.Store.Height) return;
            var guard = SignGuard.Load(storage).Last;
            if (guard is null || guard.CompareTo(sent.Height, sent.Round, sent.Step) < 0)
                c.Checker.Violation($"the victim sent {sent} but its surviving last-signed record is {guard?.ToString() ?? "empty"}");
        };
    }

    private static bool Done(LedgerCluster c, List<Transaction> sent)
        => c.Nodes.All(n => n.Store.Height >= Height && sent.All(t => n.Store.FindTransaction(TransactionId.Of(t.ToByteArray())) is not null));

    private static void AssertSafeAndReached(LedgerCluster c, List<Transaction> sent, string where)
    {
        Assert.True(c.RunUntil(() => Done(c, sent), Limit), $"{where}: {c.Report()}");
        Assert.False(c.Checker.Violated, $"{where}: {c.Report()}");
        Assert.Equal(1, c.Nodes[Victim].Crashes);
        for (ulong h = 1; h <= Height; h++)
        {
            var blocks = c.Nodes.Select(n => n.Store.GetBlock(h)!).ToList();
            Assert.All(blocks, b => Assert.Equal(BlockHeaderHashing.Hash(blocks[0].Header), BlockHeaderHashing.Hash(b.Header)));
        }
        Assert.Null(c.Verify(Victim));
    }

    [Fact]
    public void CrashAtEveryWritePoint_OfAValidatorOverItsStore_RestartsFromStoreAndLog_NoDoubleSign_HeightReached()
    {
        int writes;
        using (var clean = Scripted().Cluster)
        {
            var (c, storage) = (clean, (MemoryWalStorage)clean.Nodes[Victim].Storage);
            c.Start();
            Assert.True(c.RunUntilHeight(Height, Limit), c.Report());
            writes = storage.Writes;
        }
        Assert.True(writes > 20, $"a clean run to height {Height} made only {writes} writes");
        for (int point = 1; point <= writes; point++)
        {
            var (c, storage, sent) = Scripted();
            using (c)
            {
                storage.CrashAtWrite = point;
                c.Nodes[Victim].RestartAfterCrashMs = 1; // at once: back in the round it died in, where a lost record would let it sign again
                WatchTheGuard(c, storage);
                c.Start();
                AssertSafeAndReached(c, sent, $"crash at write point {point} of {writes} (seed {Seed})");
            }
        }
        output.WriteLine($"crashed at each of {writes} write points: every restart replayed its store and log, none signed twice, all reached height {Height}");
    }

    [Fact]
    public void CrashBetweenTheStoreCommitAndTheLogsNextHeight_RestartsAtTheNextHeight_WithoutSigningTwice()
    {
        var (c, storage, sent) = Scripted();
        using (c)
        {
            // Block 2 is in the store; the crash comes at the log's first write after it, at the latest the record that
            // begins height 3, so the log's last height is one the store already holds.
            c.Nodes[Victim].Committed += (node, block) => { if (block.Header.Height == 2 && node.Crashes == 0) storage.CrashAtWrite = 1; };
            ulong? storedAtCrash = null;
            c.Nodes[Victim].Crashed += node => storedAtCrash = node.Store.Height;
            c.Nodes[Victim].RestartAfterCrashMs = 1;
            WatchTheGuard(c, storage);
            c.Start();
            AssertSafeAndReached(c, sent, "crash after the store commit of height 2");
            Assert.Equal(2UL, storedAtCrash);
        }
    }
}
