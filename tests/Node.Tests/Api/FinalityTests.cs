using Google.Protobuf;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Tests.Consensus.Cluster;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>
/// Issue 15, clients: WatchTransaction reports COMMITTED only with the commit that makes it final (the signers' power
/// against the set in force at its height), StreamBlocks sends blocks only with their commit, from any node — a
/// validator, or an observer that follows four validators — and an observer's watch waits for a commit instead of
/// ending UNKNOWN.
/// </summary>
public sealed class FinalityTests
{
    private static ServerCallContext Call(string method, CancellationToken token = default) => new TestCallContext($"/p2pe.v1.Ledger/{method}", token);

    private static Transaction Deposit(LedgerHarness chain, ulong nonce)
        => LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(chain.Alice.Address.Bytes), Amount = nonce, Nonce = nonce }, chain.Operator);

    [Fact]
    public async Task WatchTransaction_Committed_CarriesItsBlocksCommit_SignedByMoreThanTwoThirds()
    {
        var node = new TestNode();
        var service = new LedgerService(node.Store, node.Mempool, node.Engine, node.Chain.Parameters, node.Chain.Validator.Address);
        var tx = Deposit(node.Chain, 1);
        Assert.True(node.Mempool.Submit(tx.ToByteArray()).Accepted);
        var block = node.CommitNext()!;
        var written = new CollectingWriter<TransactionStatus>();
        await service.WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(TransactionId.Of(tx.ToByteArray()).Bytes) }, written, Call("WatchTransaction"));
        var status = Assert.Single(written.Messages);
        Assert.Equal(TransactionStatus.Types.State.Committed, status.State);
        var f = status.Finality;
        Assert.Equal((true, block.Height, 1UL, 1UL), (f.Final, f.Height, f.SignedPower, f.TotalPower));
        Assert.Equal(BlockHeaderHashing.Hash(node.Store.GetBlock(block.Height)!.Header).Bytes.ToArray(), f.BlockHash.ToByteArray());
        Assert.Equal(node.Chain.Validator.Address, Address.FromBytes(Assert.Single(f.Signers).Span));
    }

    [Fact]
    public async Task WatchTransaction_OnAnObserver_SaysUnknown_AndWaitsForTheCommit_InsteadOfEnding()
    {
        var node = new TestNode();
        // An observer's API over the store the chain commits to (what an observer's own store holds as it follows).
        var observer = new LedgerService(node.Store, node.Mempool, node.Engine, node.Chain.Parameters, validator: null);
        var tx = Deposit(node.Chain, 2);
        var written = new CollectingWriter<TransactionStatus>();
        using var cancel = new CancellationTokenSource();
        var watch = observer.WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(TransactionId.Of(tx.ToByteArray()).Bytes) }, written, Call("WatchTransaction", cancel.Token));
        Assert.False(watch.IsCompleted); // on a validator an unseen id ends the stream UNKNOWN at once
        Assert.Equal(TransactionStatus.Types.State.Unknown, Assert.Single(written.Messages).State);
        node.CommitNext(); // a block without it: still waiting
        Assert.True(node.Mempool.Submit(tx.ToByteArray()).Accepted); // submitted to a validator
        var block = node.CommitNext()!;
        try { await watch.WaitAsync(TimeSpan.FromSeconds(30)); }
        finally { cancel.Cancel(); }
        Assert.Equal([TransactionStatus.Types.State.Unknown, TransactionStatus.Types.State.Committed], written.Messages.Select(m => m.State));
        Assert.Equal((block.Height, true), (written.Messages[1].Height, written.Messages[1].Finality.Final));
    }

    [Fact]
    public async Task AnObserverFollowingFourValidators_StreamsEveryBlockWithACommitOfMoreThanTwoThirds_AndWatchesToFinality()
    {
        // Node 4 holds a key without power: it follows exactly as an observer does and signs nothing.
        using var c = new LedgerCluster(validators: 4, seed: 4, extraNodes: 1);
        c.Start();
        var tx = Deposit(c.Chain, 3);
        Assert.True(c.Submit(0, tx));
        var id = TransactionId.Of(tx.ToByteArray());
        Assert.True(c.RunUntil(() => c.Nodes[4].Store.FindTransaction(id) is not null && c.Nodes[4].Store.Height >= 5, TimeSpan.FromMinutes(1)), c.Report());
        var store = c.Nodes[4].Store;
        var observer = new LedgerService(store, c.Nodes[4].Mempool, c.Nodes[4].App, c.Chain.Parameters, validator: null);

        var refused = await Assert.ThrowsAsync<RpcException>(() => observer.SubmitTransaction(new SubmitTransactionRequest { Transaction = Deposit(c.Chain, 4).ToByteString() }, Call("SubmitTransaction")));
        Assert.Equal(ApiReasons.ReadOnlyNode.Code, NodeRefusal.Of(refused).Code);

        var watched = new CollectingWriter<TransactionStatus>();
        await observer.WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(id.Bytes) }, watched, Call("WatchTransaction"));
        var finality = Assert.Single(watched.Messages).Finality;
        Assert.True(finality.Final);
        Assert.Equal(4UL, finality.TotalPower);
        Assert.InRange(finality.SignedPower, 3UL, 4UL);
        Assert.DoesNotContain(finality.Signers, s => Address.FromBytes(s.Span) == c.AddressOf(4));

        // StreamBlocks from height 1: every block carries its commit, for its own hash, final by the set at its height.
        ulong through = store.Height;
        using var cancel = new CancellationTokenSource();
        var streamed = new CollectingWriter<Block>(count => { if (count == (int)through) cancel.Cancel(); });
        await observer.StreamBlocks(new StreamBlocksRequest { FromHeight = 1 }, streamed, Call("StreamBlocks", cancel.Token));
        Assert.Equal(Enumerable.Range(1, (int)through).Select(h => (ulong)h), streamed.Messages.Select(b => b.Header.Height));
        foreach (var block in streamed.Messages)
        {
            Assert.Equal(BlockHeaderHashing.Hash(block.Header).Bytes.ToArray(), block.Commit.BlockHash.ToByteArray());
            Assert.True(CommitFinality.Of(store, c.Chain.Parameters, block.Header.Height).Final, $"block {block.Header.Height}");
        }
    }

    private sealed class CollectingWriter<T>(Action<int>? written = null) : IServerStreamWriter<T>
    {
        public List<T> Messages { get; } = [];
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message)
        {
            Messages.Add(message);
            written?.Invoke(Messages.Count);
            return Task.CompletedTask;
        }

        public Task WriteAsync(T message, CancellationToken cancellationToken) => WriteAsync(message);
    }
}
