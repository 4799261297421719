using Grpc.Core;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>
/// <c>p2pe.v1.Peer</c> on the peer endpoint: each Connect stream is one peer connection accepted by
/// <see cref="PeerNetwork"/> (handshake first). A refused peer's stream ends with PermissionDenied and the reason code.
/// </summary>
public sealed class PeerService(PeerNetwork network) : Peer.PeerBase
{
    public override async Task Connect(IAsyncStreamReader<PeerFrame> requestStream, IServerStreamWriter<PeerFrame> responseStream, ServerCallContext context)
    {
        try { await network.RunAsync(requestStream, responseStream, context.Peer, dialed: false, authenticated: null, context.CancellationToken); }
        catch (PeerRefusal refusal) { throw new RpcException(new Status(StatusCode.PermissionDenied, $"{refusal.Code}: {refusal.Message}")); }
    }
}
