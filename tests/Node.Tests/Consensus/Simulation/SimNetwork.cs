using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The simulated network: every message is delayed, and before GST may be dropped, duplicated or cut by a partition;
/// reordering follows from the random delays. After GST nothing is lost and every delay is at most the sync delay
/// (duplicates still happen: they are harmless). Scripted drop rules apply whenever they are active.
/// </summary>
public sealed class SimNetwork(Simulation sim, SimRandom random)
{
    private readonly Scenario _s = sim.Scenario;

    /// <summary>Messages handed to the network.</summary>
    public long Sent { get; private set; }

    public void Send(int from, int to, ConsensusMessage message)
    {
        Sent++;
        long now = sim.Elapsed;
        var envelope = new Envelope(from, to, message);
        foreach (var rule in _s.Drops)
            if (now >= rule.FromMs && now < rule.UntilMs && rule.Which(envelope)) return;
        bool synchronous = now >= _s.GstMs;
        if (!synchronous)
        {
            foreach (var p in _s.Partitions)
                if (now >= p.FromMs && now < p.UntilMs && p.Side.Contains(from) != p.Side.Contains(to)) return;
            if (random.Chance(_s.DropPermille)) return;
        }
        Deliver(envelope, synchronous);
        if (random.Chance(_s.DuplicatePermille)) Deliver(envelope, synchronous);
    }

    private void Deliver(Envelope envelope, bool synchronous)
    {
        long delay = random.Between(1, synchronous ? _s.SyncDelayMs : Math.Max(1, _s.MaxDelayMs));
        sim.Scheduler.After(delay, () => sim.Nodes[envelope.To].Deliver(envelope.Message, envelope.From));
    }
}
