using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Consensus.Cluster;

/// <summary>
/// Issue 14's single-process N-validator run with the real executor: four (and five) validators, each with its own
/// SQLite store, mempool and consensus log, agree on every block; every store replays (p2pe-node verify); a validator
/// crashed and restarted from its store and log catches up and rejoins; a SetValidatorSet takes effect at H + 2.
/// Seeded: P2PE_CLUSTER_SEED replays a failing run.
/// </summary>
public sealed class LedgerClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static ulong Seed(ulong fallback)
        => Environment.GetEnvironmentVariable("P2PE_CLUSTER_SEED") is { } text ? ulong.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    private static Transaction Deposit(LedgerCluster c, PrivateKey account, ulong amount, ulong nonce)
        => LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(account.Address.Bytes), Amount = amount, Nonce = nonce }, c.Chain.Operator);

    private static Transaction Contract(LedgerCluster c, ulong nonce)
        => LedgerHarness.Envelope(c.Chain.Contract(c.Chain.Alice, c.Chain.Bob, wh: 100 + nonce, nonce: nonce) /* eight of them stay within the meters' 10 kW */, c.Chain.Alice, c.Chain.Bob);

    private static bool Committed(LedgerCluster c, int node, IEnumerable<Transaction> transactions)
        => transactions.All(t => c.Nodes[node].Store.FindTransaction(TransactionId.Of(t.ToByteArray())) is not null);

    /// <summary>The same block hash and app hash at every height on every node that stored it.</summary>
    internal static void AssertSameChain(LedgerCluster c, IEnumerable<int> nodes)
    {
        var list = nodes.ToList();
        ulong height = list.Min(i => c.Nodes[i].Store.Height);
        for (ulong h = 1; h <= height; h++)
        {
            var blocks = list.Select(i => c.Nodes[i].Store.GetBlock(h)!).ToList();
            Assert.All(blocks, b => Assert.Equal(BlockHeaderHashing.Hash(blocks[0].Header), BlockHeaderHashing.Hash(b.Header)));
            Assert.All(blocks, b => Assert.Equal(blocks[0].Header.AppHash, b.Header.AppHash));
        }
    }

    [Fact]
    public void FourValidators_CommitTheSameBlocks_WithEqualAppHashes_AndEveryStoreVerifies()
    {
        using var c = new LedgerCluster(validators: 4, seed: Seed(14));
        output.WriteLine($"seed {c.Seed}");
        c.Start();
        // Transactions submitted to different validators' mempools, while the chain runs: each reaches the proposers by gossip.
        var sent = new List<Transaction>();
        for (ulong n = 1; n <= 24; n++)
        {
            var tx = n % 3 == 0 ? Contract(c, n) : Deposit(c, n % 2 == 0 ? c.Chain.Alice : c.Chain.Bob, n, nonce: n);
            int to = (int)(n % 4);
            c.Scheduler.After((long)n * 150, () => Assert.True(c.Submit(to, tx)));
            sent.Add(tx);
        }
        Assert.True(c.RunUntil(() => Enumerable.Range(0, 4).All(i => Committed(c, i, sent)) && c.Nodes.All(n => n.Store.Height >= 8), Minute), c.Report());
        Assert.False(c.Checker.Violated, c.Report());
        AssertSameChain(c, [0, 1, 2, 3]);
        foreach (var tx in sent)
            Assert.Equal(ReasonCodes.Ok, c.Nodes[0].Store.FindTransaction(TransactionId.Of(tx.ToByteArray()))!.Value.Result.Code);
        // Every proposer took its turn, and every commit holds more than 2/3 of the power.
        var proposers = Enumerable.Range(1, (int)c.Nodes[0].Store.Height).Select(h => Address.FromBytes(c.Nodes[0].Store.GetBlock((ulong)h)!.Header.Proposer.Span)).ToHashSet();
        Assert.Equal(4, proposers.Count);
        Assert.All(c.Verify(), problem => Assert.Null(problem));
        output.WriteLine($"heights {string.Join(", ", c.Nodes.Select(n => n.Store.Height))} in {c.Scheduler.Now - LedgerHarness.Genesis.AddSeconds(10).ToUnixTimeMilliseconds()} virtual ms");
    }

    [Fact]
    public void CrashedValidator_RestartsFromItsStoreAndLog_CatchesUp_AndRejoins()
    {
        using var c = new LedgerCluster(validators: 4, seed: Seed(7));
        output.WriteLine($"seed {c.Seed}");
        c.Start();
        Assert.True(c.RunUntilHeight(3, Minute), c.Report());
        c.Crash(2);
        ulong crashedAt = c.Nodes[2].Store.Height;
        // Three of four (more than 2/3) carry on without it.
        var whileDown = Enumerable.Range(1, 6).Select(n => Deposit(c, c.Chain.Alice, 10, nonce: (ulong)n)).ToList();
        for (int i = 0; i < whileDown.Count; i++) Assert.True(c.Submit(i % 2, whileDown[i]));
        Assert.True(c.RunUntil(() => Committed(c, 0, whileDown) && c.Nodes[0].Store.Height >= crashedAt + 5, Minute), c.Report());
        Assert.Equal(crashedAt, c.Nodes[2].Store.Height);

        c.Restart(2);
        ulong target = c.Nodes[0].Store.Height;
        Assert.True(c.RunUntilHeight(target + 1, Minute), c.Report());
        Assert.True(Committed(c, 2, whileDown)); // caught up on the blocks decided while it was down

        // It rejoined: with another validator down, no height passes without it (3 of 4 needed).
        c.Crash(3);
        ulong before = c.Nodes[0].Store.Height;
        Assert.True(c.RunUntilHeight(before + 3, Minute, [0, 1, 2]), c.Report());
        var last = c.Nodes[0].Store.GetBlock(c.Nodes[0].Store.Height)!;
        Assert.Contains(last.Commit.Signatures, s => Address.FromBytes(s.Validator.Span) == c.AddressOf(2));
        Assert.False(c.Checker.Violated, c.Report());
        AssertSameChain(c, [0, 1, 2]);
        Assert.All(c.Verify(), problem => Assert.Null(problem));
    }

    [Fact]
    public void SetValidatorSet_AddingAFifthValidator_TakesEffectAtHPlus2_AndItJoins()
    {
        using var c = new LedgerCluster(validators: 4, seed: Seed(5), extraNodes: 1);
        output.WriteLine($"seed {c.Seed}");
        c.Start();
        Assert.True(c.RunUntilHeight(2, Minute), c.Report());
        var set = new SetValidatorSet { Nonce = 1 };
        set.Validators.AddRange(c.Keys.Select((k, i) => new ValidatorEntry { Validator = ByteString.CopyFrom(k.Address.Bytes), Power = 1, Operator = $"operator {i}", Role = "Independent" }));
        var change = LedgerHarness.Envelope(set, c.Chain.Utility); // the validator authority defaults to the utility
        Assert.True(c.Submit(1, change));
        var id = TransactionId.Of(change.ToByteArray());
        Assert.True(c.RunUntil(() => c.Nodes[0].Store.FindTransaction(id) is not null, Minute), c.Report());
        ulong h = c.Nodes[0].Store.FindTransaction(id)!.Value.Height;
        Assert.Equal(ReasonCodes.Ok, c.Nodes[0].Store.FindTransaction(id)!.Value.Result.Code);
        Assert.True(c.RunUntilHeight(h + 4, Minute), c.Report());

        var four = ValidatorSetHash.Of(c.Chain.Parameters.Validators);
        var five = Hash32.FromBytes(c.Nodes[0].Store.GetBlock(h + 2)!.Header.ValidatorSetHash.Span);
        Assert.NotEqual(four, five);
        var store = c.Nodes[0].Store;
        // Block h and h + 1 are signed by the old set; h + 1 already names the new one as next; h + 2 on is the new set's.
        Assert.Equal((four, four), (Hash32.FromBytes(store.GetBlock(h)!.Header.ValidatorSetHash.Span), Hash32.FromBytes(store.GetBlock(h)!.Header.NextValidatorSetHash.Span)));
        Assert.Equal((four, five), (Hash32.FromBytes(store.GetBlock(h + 1)!.Header.ValidatorSetHash.Span), Hash32.FromBytes(store.GetBlock(h + 1)!.Header.NextValidatorSetHash.Span)));
        Assert.Equal((five, five), (Hash32.FromBytes(store.GetBlock(h + 2)!.Header.NextValidatorSetHash.Span), Hash32.FromBytes(store.GetBlock(h + 3)!.Header.ValidatorSetHash.Span)));
        Assert.DoesNotContain(store.GetBlock(h + 1)!.Commit.Signatures, s => Address.FromBytes(s.Validator.Span) == c.AddressOf(4));
        // It proposes in its turn from H + 2 (weighted round robin over five), never before.
        bool Proposed(ulong height) => Address.FromBytes(store.GetBlock(height)!.Header.Proposer.Span) == c.AddressOf(4);
        Assert.True(c.RunUntil(() => Enumerable.Range((int)h + 2, (int)(store.Height - h - 1)).Any(x => Proposed((ulong)x)), Minute), c.Report());
        Assert.DoesNotContain(Enumerable.Range(1, (int)h + 1), x => Proposed((ulong)x));

        // The newcomer now holds a fifth of the power: with one of the first four down, no height passes without it (4 of 5 needed).
        c.Crash(0);
        ulong before = c.Nodes[1].Store.Height;
        Assert.True(c.RunUntilHeight(before + 3, Minute, [1, 2, 3, 4]), c.Report());
        Assert.Contains(c.Nodes[1].Store.GetBlock(c.Nodes[1].Store.Height)!.Commit.Signatures, s => Address.FromBytes(s.Validator.Span) == c.AddressOf(4));
        Assert.False(c.Checker.Violated, c.Report());
        AssertSameChain(c, [1, 2, 3, 4]);
        Assert.All(c.Verify(), problem => Assert.Null(problem));
    }
}
