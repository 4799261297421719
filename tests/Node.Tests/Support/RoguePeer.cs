using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Network;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A test's own end of a <c>p2pe.v1.Peer</c> stream to a node's peer port: it passes the handshake with a node key
/// of its own as an observer (the node must list it in Node:Peer:Observers), then sends whatever frames a
/// test wants — the misbehaving peer of the fault tests. Disposing closes the stream.
/// </summary>
public sealed class RoguePeer(GrpcChannel channel, AsyncDuplexStreamingCall<PeerFrame, PeerFrame> call) : IAsyncDisposable
{
    /// <summary>
    /// Connects to the peer endpoint on <paramref name="peerPort"/> and completes the handshake; a node that is not a
    /// validator (an observer) is accepted when <paramref name="observers"/> lists its node key.
    /// </summary>
    public static async Task<RoguePeer> ConnectAsync(int peerPort, ulong chainId, Hash32 genesisHash, PrivateKey nodeKey, ulong height, IEnumerable<Address>? observers = null)
    {
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{peerPort}", new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        var call = new Peer.PeerClient(channel).Connect(deadline: DateTime.UtcNow.AddMinutes(2));
        var peer = new RoguePeer(channel, call);
        try
        {
            // The node is checked as the node checks us, except that any validator binding it shows is accepted.
            var handshake = new PeerHandshake(chainId, genesisHash, nodeKey, validatorKey: null, isValidator: _ => true, observers: observers ?? []);
            var mine = handshake.Hello(height);
            await call.RequestStream.WriteAsync(new PeerFrame { Hello = mine });
            var theirs = await peer.ReadAsync(PeerFrame.BodyOneofCase.Hello);
            var them = handshake.Accept(theirs.Hello);
            await call.RequestStream.WriteAsync(new PeerFrame { Proof = handshake.Prove(theirs.Hello, them) });
            handshake.Verify((await peer.ReadAsync(PeerFrame.BodyOneofCase.Proof)).Proof, mine, them);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public Task SendAsync(PeerFrame frame) => call.RequestStream.WriteAsync(frame);

    /// <summary>Reads frames until one of <paramref name="kind"/> (skipping the node's gossip) or the end of the stream.</summary>
    public async Task<PeerFrame> ReadAsync(PeerFrame.BodyOneofCase kind)
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
            if (call.ResponseStream.Current.BodyCase == kind) return call.ResponseStream.Current;
        throw new IOException($"the node closed the peer stream before a {kind} frame");
    }

    public async ValueTask DisposeAsync()
    {
        try { await call.RequestStream.CompleteAsync(); } catch (Exception e) when (e is RpcException or InvalidOperationException or IOException) { }
        call.Dispose();
        channel.Dispose();
    }
}
