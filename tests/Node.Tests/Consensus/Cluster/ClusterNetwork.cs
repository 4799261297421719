using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Tests.Consensus.Simulation;

namespace P2PEnergy.Node.Tests.Consensus.Cluster;

/// <summary>
/// The in-process network of a <see cref="LedgerCluster"/>: every message reaches every other running node after a
/// seeded delay of 1 to <see cref="MaxDelayMs"/> ms (hence reordered), unless either end is cut off. It also carries
/// transactions between mempools, standing in for the peer network's transaction gossip (issue 15).
/// </summary>
public sealed class ClusterNetwork
{
    public const long MaxDelayMs = 40;

    private readonly LedgerCluster _cluster;
    private readonly SimRandom _random;

    public ClusterNetwork(LedgerCluster cluster, SimRandom random)
    {
        _cluster = cluster;
        _random = random;
    }

    /// <summary>Nodes whose messages and transactions are lost both ways.</summary>
    public HashSet<int> CutOff { get; } = [];

    /// <summary>The seam one node sends through.</summary>
    public IConsensusNetwork For(int node) => new Endpoint(this, node);

    /// <summary>A transaction one mempool accepted, offered to every other running node's mempool.</summary>
    public void Gossip(int from, byte[] transaction)
    {
        for (int to = 0; to < _cluster.Nodes.Count; to++)
            if (to != from) Later(from, to, node => node.Mempool.Submit(transaction));
    }

    private void Deliver(int from, int to, ConsensusMessage message)
    {
        var sender = _cluster.AddressOf(from);
        Later(from, to, node => node.Receive(message, sender));
    }

    private void Later(int from, int to, Action<Support.InProcessNode> arrive)
    {
        if (CutOff.Contains(from) || CutOff.Contains(to)) return;
        _cluster.Scheduler.After(_random.Between(1, MaxDelayMs), () =>
        {
            if (!CutOff.Contains(to) && _cluster.Nodes[to].Up) arrive(_cluster.Nodes[to]);
        });
    }

    private sealed class Endpoint(ClusterNetwork network, int self) : IConsensusNetwork
    {
        public void Broadcast(ConsensusMessage message)
        {
            for (int to = 0; to < network._cluster.Nodes.Count; to++)
                if (to != self) network.Deliver(self, to, message);
        }

        public void Send(Address peer, ConsensusMessage message) => network.Deliver(self, network._cluster.IndexOf(peer), message);
    }
}
