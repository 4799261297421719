using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Consensus.Application;

/// <summary>
/// The node's one consensus path with one validator: it decides each height in round 0 within one step (propose, own
/// prevote, own precommit, commit — no timeout waited), starts the next height when transactions wait or the heartbeat
/// is due, and BFT time only moves forward.
/// </summary>
public sealed class SingleValidatorTests
{
    private static byte[] Admit(TestNode node, ulong nonce)
        => LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(node.Chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = nonce }, node.Chain.Operator).ToByteArray();

    [Fact]
    public void EmptyMempool_BeforeHeartbeat_ProposesNothing()
    {
        var node = new TestNode();
        Assert.NotNull(node.CommitNext()); // genesis is 10 s in the past: the heartbeat is overdue
        node.RunFor(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1UL, node.Store.Height);
        Assert.True(node.Node.Driver!.Waiting);
        node.RunFor(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2UL, node.Store.Height);
    }

    [Fact]
    public void Heartbeat_Elapsed_ProposesEmptyBlock()
    {
        var node = new TestNode();
        var first = node.CommitNext()!;
        var block = Assert.IsType<CommittedBlock>(node.CommitNext());
        Assert.Equal(2UL, block.Height);
        Assert.Equal(first.Block.Header.TimeMs + 1000, block.Block.Header.TimeMs);
        Assert.Empty(block.Block.Transactions);
        Assert.Equal(MerkleRoot.Empty.ToArray(), block.Block.Header.TransactionsRoot.ToByteArray());
    }

    [Fact]
    public void PendingTransaction_IsDecidedAtOnce_InRoundZero_WithoutWaitingForAnyTimeout()
    {
        var node = new TestNode();
        node.CommitNext();
        long before = node.NowMs;
        var verdict = node.Mempool.Submit(Admit(node, 1));
        var block = Assert.IsType<CommittedBlock>(node.CommitNext());
        Assert.Equal(before, node.NowMs); // not a millisecond of virtual time passed: no timeout, no heartbeat
        Assert.Equal(0U, block.Block.Commit.Round);
        Assert.Equal(ReasonCodes.Ok, Assert.Single(block.Results).Code);
        Assert.Equal(MerkleRoot.Compute([verdict.TransactionId]).ToArray(), block.Block.Header.TransactionsRoot.ToByteArray());
        Assert.Equal(0, node.Mempool.Count);
        Assert.Equal(2UL, node.Store.FindTransaction(verdict.TransactionId)!.Value.Height);
        // No timeout ever fired: the log of the height holds none.
        Assert.DoesNotContain(new ConsensusWal(node.Storage, _ => { }).Read(2), r => r.Timeout is not null);
    }

    [Fact]
    public void BlockTime_StrictlyIncreases_EvenWhenTheClockStallsOrStepsBack()
    {
        var node = new TestNode();
        var times = new List<long>();
        for (ulong n = 1; n <= 3; n++)
        {
            node.Mempool.Submit(Admit(node, n));
            times.Add(node.CommitNext()!.Block.Header.TimeMs);
        }
        node.LocalClock.Skew = TimeSpan.FromMinutes(-5);
        node.Mempool.Submit(Admit(node, 4));
        times.Add(node.CommitNext()!.Block.Header.TimeMs);
        Assert.Equal(LedgerHarness.Genesis.AddSeconds(10).ToUnixTimeMilliseconds(), times[0]);
        for (int i = 1; i < times.Count; i++) Assert.Equal(times[i - 1] + 1, times[i]);
    }

    [Fact]
    public void Block_IsChained_SignedByAQuorumOfOne_AndCarriesTheSetsInForce()
    {
        var node = new TestNode();
        var first = node.CommitNext()!;
        node.Mempool.Submit(Admit(node, 1));
        var second = node.CommitNext()!;
        var header = second.Block.Header;
        Assert.Equal(first.Hash.ToArray(), header.PreviousHash.ToByteArray());
        Assert.Equal(BlockHeaderHashing.Hash(header), second.Hash);
        var set = ValidatorSetHash.Of(node.Chain.Parameters.Validators).ToArray();
        Assert.Equal(set, header.ValidatorSetHash.ToByteArray());
        Assert.Equal(set, header.NextValidatorSetHash.ToByteArray());
        Assert.Equal(node.Chain.Validator.Address.Bytes.ToArray(), header.Proposer.ToByteArray());
        var vote = new CommitVote { Height = 2, Round = 0, BlockHash = ByteString.CopyFrom(second.Hash.Bytes), VoteType = VoteType.Precommit };
        var signature = Signature.FromBytes(Assert.Single(second.Block.Commit.Signatures).Signature.Span);
        Assert.Equal(node.Chain.Validator.Address, Signer.Recover(LedgerTypedData.Digest(vote, LedgerHarness.ChainId), signature));
        Assert.Equal(node.Store.AppHash.ToArray(), header.AppHash.ToByteArray());
        Assert.Equal(second.Block, node.Store.GetBlock(2));
    }

    [Fact]
    public void MaxBlockTransactions_CapsTheBlock()
    {
        var node = new TestNode(maxBlockTransactions: 2);
        for (ulong n = 1; n <= 3; n++) node.Mempool.Submit(Admit(node, n));
        Assert.Equal(2, node.CommitNext()!.Block.Transactions.Count);
        Assert.Single(node.CommitNext()!.Block.Transactions);
    }

    [Fact]
    public async Task Feed_ReleasesWaitersOnCommit()
    {
        var node = new TestNode();
        var wait = node.Engine.Feed.WaitForHeightAsync(1, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        node.CommitNext();
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Restart_FromTheStoreAndTheLog_ContinuesAtTheNextHeight_WithoutSigningAnyHeightTwice()
    {
        var node = new TestNode();
        node.Mempool.Submit(Admit(node, 1));
        var before = node.CommitNext()!;
        node.Node.Crash();
        node.Mempool.Submit(Admit(node, 2));
        var after = node.CommitNext()!;
        Assert.Equal(before.Height + 1, after.Height);
        Assert.Equal(before.Hash.ToArray(), after.Block.Header.PreviousHash.ToByteArray());
        Assert.Equal(0U, after.Block.Commit.Round);
    }

    [Fact]
    public void Schedule_HeartbeatWait_AndBlockTime()
    {
        Assert.Equal(1000, ProposalSchedule.UntilHeartbeat(100, 100, 1000));
        Assert.Equal(1, ProposalSchedule.UntilHeartbeat(1099, 100, 1000));
        Assert.Equal(0, ProposalSchedule.UntilHeartbeat(5000, 100, 1000));
        Assert.Equal(101, ProposalSchedule.NextBlockTime(50, 100));
        Assert.Equal(500, ProposalSchedule.NextBlockTime(500, 100));
    }
}
