namespace P2PEnergy.Node.Network;

/// <summary>
/// The bounds of the peer network (Node:Peer:*, docs/node.md): largest frame, frames per second and queued frames per
/// peer, most peers, longest wait between dials, most blocks per block-sync request.
/// </summary>
public sealed record PeerLimits(int MaxMessageBytes, int MessagesPerSecond, int QueueCapacity, int MaxPeers, TimeSpan ReconnectMax, int SyncBatchBlocks);
