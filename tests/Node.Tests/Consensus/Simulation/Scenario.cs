using System.Text;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>How a Byzantine validator misbehaves.</summary>
public enum Fault
{
    /// <summary>Sends nothing at all.</summary>
    Silent,
    /// <summary>Proposes two different blocks and casts two different votes in every step, each to half the network.</summary>
    Equivocator,
    /// <summary>Forgets its lock: prevotes and precommits whatever its round's proposal is.</summary>
    Amnesiac,
    /// <summary>
    /// Colludes with the other colluders to split the honest nodes: equivocating proposals, and each honest node gets
    /// votes agreeing with whatever it voted. Safe below 1/3 of the power; the negative control gives it more.
    /// </summary>
    Colluder,
}

/// <summary>A node stops (its process state is lost, its disk keeps what was synced) and, unless never, restarts.</summary>
public sealed record CrashPlan(int Node, long AtMs, long RestartAfterMs);

/// <summary>Between the times, messages between <paramref name="Side"/> and the other nodes are lost.</summary>
public sealed record PartitionPlan(int[] Side, long FromMs, long UntilMs);

/// <summary>At the time, every node's mempool receives a validator-set change that gives <paramref name="Node"/> this power.</summary>
public sealed record ValidatorChangePlan(int Node, long Power, long AtMs);

/// <summary>Scripted loss: the messages <paramref name="Which"/> matches are dropped while the rule is active.</summary>
public sealed record DropRule(string Name, Func<Envelope, bool> Which, long FromMs, long UntilMs);

/// <summary>
/// One simulated run: the validators, the faults and when the network becomes synchronous (GST). Times are virtual
/// milliseconds from the start. Built by <see cref="RandomScenarios"/> from a seed, or by the scenario builder of the trap tests.
/// </summary>
public sealed class Scenario
{
    public ulong Seed { get; init; }
    public long[] Powers { get; init; } = [1, 1, 1, 1];
    public int Validators => Powers.Length;
    /// <summary>Nodes that follow consensus without power (they may become validators by a change).</summary>
    public int Observers { get; init; }
    public ulong TargetHeight { get; init; } = 3;
    /// <summary>Global stabilisation time: from here messages are delivered within <see cref="SyncDelayMs"/>, no loss.</summary>
    public long GstMs { get; init; }
    public int DropPermille { get; init; }
    public int DuplicatePermille { get; init; }
    public long MaxDelayMs { get; init; } = 50;
    public long SyncDelayMs { get; init; } = 50;
    public int InvalidPermille { get; init; }
    public List<CrashPlan> Crashes { get; init; } = [];
    public List<PartitionPlan> Partitions { get; init; } = [];
    public Dictionary<int, Fault> Byzantine { get; init; } = [];
    public List<ValidatorChangePlan> Changes { get; init; } = [];
    public List<DropRule> Drops { get; init; } = [];
    /// <summary>Nodes a script takes down without a restart: faulty, so not required to reach the target.</summary>
    public HashSet<int> DownForGood { get; init; } = [];
    /// <summary>How long after GST every honest node must have reached the target height.</summary>
    public long LivenessLimitMs { get; init; } = 180_000;

    public long TotalPower => Powers.Sum();
    /// <summary>Power of the Byzantine validators and of those that crash for good.</summary>
    public long FaultyPower => Enumerable.Range(0, Validators)
        .Where(n => Byzantine.ContainsKey(n) || DownForGood.Contains(n) || Crashes.Any(c => c.Node == n && c.RestartAfterMs < 0)).Sum(n => Powers[n]);
    /// <summary>Whether the faulty power is within what Tendermint tolerates (below 1/3): then termination is required.</summary>
    public bool WithinFaultBound => 3 * FaultyPower < TotalPower;

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append($"{Validators} validators (powers {string.Join(",", Powers)})");
        if (Observers > 0) text.Append($" + {Observers} observer(s)");
        text.Append($", target height {TargetHeight}, GST {GstMs} ms, drop {DropPermille}‰, duplicate {DuplicatePermille}‰, delay ≤ {MaxDelayMs} ms (then ≤ {SyncDelayMs} ms), invalid proposals {InvalidPermille}‰");
        foreach (var (node, fault) in Byzantine.OrderBy(b => b.Key)) text.Append($"; node {node} {fault}");
        foreach (var c in Crashes) text.Append($"; node {c.Node} crashes at {c.AtMs} ms{(c.RestartAfterMs < 0 ? " for good" : $", restarts {c.RestartAfterMs} ms later")}");
        foreach (var p in Partitions) text.Append($"; partition [{string.Join(",", p.Side)}] {p.FromMs}–{p.UntilMs} ms");
        foreach (var v in Changes) text.Append($"; node {v.Node} gets power {v.Power} at {v.AtMs} ms");
        foreach (var d in Drops) text.Append($"; drop {d.Name} {d.FromMs}–{d.UntilMs} ms");
        return text.ToString();
    }
}
