using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>The network seam: where signed consensus messages go. Delivery is best effort; the driver re-sends while stuck.</summary>
public interface IConsensusNetwork
{
    /// <summary>To every other consensus participant.</summary>
    void Broadcast(ConsensusMessage message);

    /// <summary>To one peer (a decided block for a peer behind).</summary>
    void Send(Address peer, ConsensusMessage message);
}
