using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Consensus;

/// <summary>When the single validator proposes, what its blocks carry, and that BFT time only moves forward.</summary>
public sealed class SingleValidatorEngineTests
{
    private static byte[] Admit(TestNode node, ulong nonce)
        => LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(node.Chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = nonce }, node.Chain.Operator).ToByteArray();

    [Fact]
    public void EmptyMempool_BeforeHeartbeat_ProposesNothing()
    {
        var node = new TestNode();
        Assert.NotNull(node.Engine.TryCommit()); // genesis is 10 s in the past: the heartbeat is overdue
        node.Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(node.Engine.TryCommit());
        Assert.Equal(TimeSpan.FromMilliseconds(1), node.Engine.UntilDue());
    }

    [Fact]
    public void Heartbeat_Elapsed_ProposesEmptyBlock()
    {
        var node = new TestNode();
        node.Engine.TryCommit();
        node.Clock.Advance(TimeSpan.FromSeconds(1));
        var block = Assert.IsType<CommittedBlock>(node.Engine.TryCommit());
        Assert.Equal(2UL, block.Height);
        Assert.Empty(block.Block.Transactions);
        Assert.Equal(MerkleRoot.Empty.ToArray(), block.Block.Header.TransactionsRoot.ToByteArray());
    }

    [Fact]
    public void PendingTransaction_ProposesImmediately_AndEmptiesMempool()
    {
        var node = new TestNode();
        node.Engine.TryCommit();
        var verdict = node.Mempool.Submit(Admit(node, 1));
        var block = Assert.IsType<CommittedBlock>(node.Engine.TryCommit());
        Assert.Equal(ReasonCodes.Ok, Assert.Single(block.Results).Code);
        Assert.Equal(MerkleRoot.Compute([verdict.TransactionId]).ToArray(), block.Block.Header.TransactionsRoot.ToByteArray());
        Assert.Equal(0, node.Mempool.Count);
        Assert.Equal(2UL, node.Store.FindTransaction(verdict.TransactionId)!.Value.Height);
    }

    [Fact]
    public void BlockTime_StrictlyIncreases_EvenWhenTheClockStallsOrStepsBack()
    {
        var node = new TestNode();
        var times = new List<long>();
        for (ulong n = 1; n <= 3; n++)
        {
            node.Mempool.Submit(Admit(node, n));
            times.Add(node.Engine.TryCommit()!.Block.Header.TimeMs);
        }
        node.Clock.Advance(TimeSpan.FromMinutes(-5));
        node.Mempool.Submit(Admit(node, 4));
        times.Add(node.Engine.TryCommit()!.Block.Header.TimeMs);
        Assert.Equal(LedgerHarness.Genesis.AddSeconds(10).ToUnixTimeMilliseconds(), times[0]);
        for (int i = 1; i < times.Count; i++) Assert.Equal(times[i - 1] + 1, times[i]);
    }

    [Fact]
    public void Block_IsChained_Signed_AndReplaysToItsAppHash()
    {
        var node = new TestNode();
        var first = node.Engine.TryCommit()!;
        node.Mempool.Submit(Admit(node, 1));
        var second = node.Engine.TryCommit()!;
        var header = second.Block.Header;
        Assert.Equal(first.Hash.ToArray(), header.PreviousHash.ToByteArray());
        Assert.Equal(BlockHeaderHashing.Hash(header), second.Hash);
        Assert.Equal(ValidatorSetHash.Of(node.Chain.Parameters.Validators).ToArray(), header.ValidatorSetHash.ToByteArray());
        var vote = new CommitVote { Height = 2, Round = 0, BlockHash = ByteString.CopyFrom(second.Hash.Bytes), VoteType = VoteType.Precommit };
        var signature = Signature.FromBytes(Assert.Single(second.Block.Commit.Signatures).Signature.Span);
        Assert.Equal(node.Chain.Validator.Address, Signer.Recover(LedgerTypedData.Digest(vote, LedgerHarness.ChainId), signature));
        Assert.Equal(node.Store.AppHash.ToArray(), header.AppHash.ToByteArray());
    }

    [Fact]
    public void MaxBlockTransactions_CapsTheBlock()
    {
        var node = new TestNode(maxBlockTransactions: 2);
        for (ulong n = 1; n <= 3; n++) node.Mempool.Submit(Admit(node, n));
        Assert.Equal(2, node.Engine.TryCommit()!.Block.Transactions.Count);
        Assert.Single(node.Engine.TryCommit()!.Block.Transactions);
    }

    [Fact]
    public async Task Feed_ReleasesWaitersOnCommit()
    {
        var node = new TestNode();
        var wait = node.Engine.Feed.WaitForHeightAsync(1, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        node.Engine.TryCommit();
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void FlowBooks_ReachTheCache_OnlyWhenTheirBlockIsStored()
    {
        // Issue 12 item 1: what a block's execution built may serve later blocks only once that block is committed.
        var chain = SmallFeeder.Chain();
        var cache = new FlowBookCache();
        var store = new MemoryLedgerStore();
        var (changes, appHash) = GenesisState.Build(chain.Document, SmallFeeder.File().ToJsonBytes());
        store.InitializeGenesis(Hash32.Zero, changes, appHash);
        var clock = new ManualClock(LedgerHarness.Genesis.AddSeconds(10));
        var verifier = new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default);
        SingleValidatorEngine? engine = null;
        var mempool = new Mempool(verifier, chain.Parameters, store, () => engine?.LastBlockTimeMs ?? chain.Parameters.GenesisTimeMs);
        engine = new SingleValidatorEngine(new BlockExecutor(chain.Parameters, verifier, new GridAdmission(cache)), store, mempool, chain.Validator, clock);
        var contract = LedgerHarness.Envelope(chain.Contract(chain.Alice, chain.Bob, start: (ulong)LedgerHarness.Genesis.ToUnixTimeSeconds() + 2 * LedgerHarness.Interval), chain.Alice, chain.Bob);
        Assert.True(mempool.Submit(contract.ToByteArray()).Accepted);

        store.FailNextCommit = true;
        Assert.Throws<IOException>(() => engine.TryCommit());
        Assert.Equal(0, cache.Count); // the block was executed (its books built), never stored: nothing published
        var block = engine.TryCommit()!;
        Assert.Equal(ReasonCodes.Ok, Assert.Single(block.Results).Code);
        Assert.Equal(2, cache.Count); // the contract's two intervals, at the revision the store now holds
    }

    [Fact]
    public void Schedule_IsDue_OnTransactionsOrHeartbeat()
    {
        Assert.True(ProposalSchedule.IsDue(1, 100, 100, 1000));
        Assert.False(ProposalSchedule.IsDue(0, 1099, 100, 1000));
        Assert.True(ProposalSchedule.IsDue(0, 1100, 100, 1000));
        Assert.Equal(101, ProposalSchedule.NextBlockTime(50, 100));
    }
}
