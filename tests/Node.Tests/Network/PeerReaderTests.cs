using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// A peer's reader never waits for the door (issue 15, rounds lost to a late proposal): a proposal read after a frame
/// of relayed transactions reaches consensus while those transactions are still being checked, and they are checked
/// after all. Driven over in-memory streams, with signature recovery held by a gate: no wall-clock waits (the bound
/// only ends a test that would otherwise hang).
/// </summary>
public sealed class PeerReaderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // One direction of a stream, in memory.
    private sealed class Pipe : IAsyncStreamReader<PeerFrame>, IAsyncStreamWriter<PeerFrame>
    {
        private readonly Channel<PeerFrame> _frames = Channel.CreateUnbounded<PeerFrame>();
        public PeerFrame Current { get; private set; } = null!;
        public WriteOptions? WriteOptions { get; set; }

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await _frames.Reader.WaitToReadAsync(cancellationToken)) return false;
            Current = await _frames.Reader.ReadAsync(cancellationToken);
            return true;
        }

        public Task WriteAsync(PeerFrame message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(PeerFrame message, CancellationToken cancellationToken) => _frames.Writer.WriteAsync(message, cancellationToken).AsTask();
    }

    // Recovery that waits for the test to open the gate, and says when the first one started.
    private sealed class GatedSecp256k1 : ISecp256k1
    {
        public ManualResetEventSlim Gate { get; } = new(false);
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Name => "gated";
        public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32) => Secp256k1.Default.Sign(digest32, privateKey32);
        public byte[] PublicKey(ReadOnlySpan<byte> privateKey32) => Secp256k1.Default.PublicKey(privateKey32);
        public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64) => Secp256k1.Default.Verify(digest32, signature, publicKey64);

        public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
        {
            Entered.TrySetResult();
            if (!Gate.Wait(2 * Bound)) throw new TimeoutException("the test never opened the gate");
            return Secp256k1.Default.RecoverPublicKey(digest32, signature);
        }

        public void RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature, Span<byte> publicKey64)
            => RecoverPublicKey(digest32, signature).CopyTo(publicKey64);
    }

    private sealed class NoTarget : ISyncTarget
    {
        public void Pause() { }
        public void Resume() { }
        public void Apply(IReadOnlyList<Block> blocks, Action<Block> commit, Action<int, Exception?> done) => done(0, null);
    }

    [Fact]
    public async Task AProposalBehindAFrameOfRelayedTransactions_ReachesConsensusBeforeTheyAreChecked_AndTheyAreCheckedAfter()
    {
        var chain = new LedgerHarness();
        var secp = new GatedSecp256k1();
        var mempool = new Mempool(new TransactionVerifier(LedgerHarness.ChainId, secp), chain.Parameters, new MemoryLedgerStore(), () => 0);
        var checkedAtTheDoor = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mempool.Accepted += () => checkedAtTheDoor.TrySetResult();
        mempool.Refused += _ => checkedAtTheDoor.TrySetResult();
        var node = new PeerHandshake(LedgerHarness.ChainId, Hash32.Zero, LedgerHarness.Key(80), LedgerHarness.Key(81), _ => true, []);
        var network = new PeerNetwork(node, new PeerEndpointOptions().Limits(), mempool, () => 0, _ => null, _ => true, new PeerCount(), new ManualClock(DateTimeOffset.UnixEpoch));
        var proposals = new TaskCompletionSource<ConsensusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        network.Attach((message, _) => proposals.TrySetResult(message), new NoTarget(), _ => { }, NullLogger.Instance);

        Pipe toNode = new(), fromNode = new();
        using var stop = new CancellationTokenSource(Bound);
        var run = network.RunAsync(toNode, fromNode, "memory", dialed: false, null, stop.Token);
        try
        {
            // The peer: a validator that proves its keys, then relays a transaction and proposes.
            var peer = new PeerHandshake(LedgerHarness.ChainId, Hash32.Zero, LedgerHarness.Key(82), LedgerHarness.Key(83), _ => true, []);
            var hello = peer.Hello(0);
            await toNode.WriteAsync(new PeerFrame { Hello = hello });
            Assert.True(await fromNode.MoveNext(stop.Token));
            var theirs = fromNode.Current.Hello;
            var identity = peer.Accept(theirs);
            await toNode.WriteAsync(new PeerFrame { Proof = peer.Prove(theirs, identity) });
            Assert.True(await fromNode.MoveNext(stop.Token));
            peer.Verify(fromNode.Current.Proof, hello, identity);

            var deposit = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(chain.Alice.Address.Bytes), Amount = 5, Reference = "relayed", Nonce = 1 }, chain.Operator);
            await toNode.WriteAsync(new PeerFrame { Transactions = new PeerTransactions { Transactions = { deposit.ToByteString() } } });
            var proposal = new ConsensusMessage
            {
                Proposal = new ProposalMessage { Proposal = new BlockProposal { Height = 1 }, Proposer = ByteString.CopyFrom(LedgerHarness.Key(83).Address.Bytes) },
            };
            await toNode.WriteAsync(new PeerFrame { Consensus = proposal });

            await secp.Entered.Task.WaitAsync(Bound);
            var delivered = await proposals.Task.WaitAsync(Bound); // the old reader checked the transactions first: it never got here
            Assert.Equal(proposal, delivered);
            Assert.False(checkedAtTheDoor.Task.IsCompleted);
            Assert.Equal(0, mempool.Count);

            secp.Gate.Set();
            await checkedAtTheDoor.Task.WaitAsync(Bound);
        }
        finally
        {
            secp.Gate.Set();
            stop.Cancel();
            try { await run; }
            catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or PeerRefusal) { /* stopped */ }
        }
    }
}
