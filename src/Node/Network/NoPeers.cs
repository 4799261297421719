using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Driver;

namespace P2PEnergy.Node.Network;

/// <summary>
/// The consensus network of a node without peers: what it signs reaches no one. Enough for a validator that is the whole
/// validator set; the authenticated gRPC peer streams replace it (issue 15).
/// </summary>
public sealed class NoPeers : IConsensusNetwork
{
    public void Broadcast(ConsensusMessage message) { }

    public void Send(Address peer, ConsensusMessage message) { }
}
