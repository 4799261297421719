using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>Scenario tests that read like a story: <c>Sim.Network(4).Crash(node: 3).AtHeight(5).Run(untilHeight: 6).ExpectDecisionWithin(rounds: 2, atHeight: 5)</c>.</summary>
public static class Sim
{
    public static ScenarioBuilder Network(int validators) => new(validators);

    /// <summary>Which node proposes round <paramref name="round"/> of <paramref name="height"/> with equal powers and no set change.</summary>
    public static int ProposerOf(int validators, ulong height, int round)
    {
        var set = ValidatorSet.Create(Enumerable.Range(0, validators).Select(i => (Simulation.AddressOf(i), 1L)));
        for (ulong h = 1; h < height; h++) set = set.Next();
        var proposer = new ProposerRotation(set).At(round);
        return Enumerable.Range(0, validators).Single(i => Simulation.AddressOf(i) == proposer);
    }
}

/// <summary>Builds a scripted scenario: a synchronous network by default, with the faults the story names.</summary>
public sealed class ScenarioBuilder(int validators)
{
    private long[] _powers = Enumerable.Repeat(1L, validators).ToArray();
    private int _observers;
    private ulong _seed = 1;
    private readonly Dictionary<int, Fault> _byzantine = [];
    private readonly List<PartitionPlan> _partitions = [];
    private readonly List<DropRule> _drops = [];
    private readonly List<CrashPlan> _crashes = [];
    private readonly HashSet<int> _downForGood = [];
    private readonly List<Action<Simulation>> _hooks = [];

    public ScenarioBuilder Seed(ulong seed) { _seed = seed; return this; }

    public ScenarioBuilder Powers(params long[] powers) { _powers = powers; return this; }

    /// <summary>Nodes beyond the validators that follow consensus without power.</summary>
    public ScenarioBuilder Observers(int count) { _observers = count; return this; }

    public ScenarioBuilder Byzantine(int node, Fault fault) { _byzantine[node] = fault; return this; }

    public ScenarioBuilder Partition(int[] side, double fromSeconds, double untilSeconds)
    {
        _partitions.Add(new PartitionPlan(side, Ms(fromSeconds), Ms(untilSeconds)));
        return this;
    }

    /// <summary>Loses every message <paramref name="which"/> matches (the whole run unless a window is given).</summary>
    public ScenarioBuilder Drop(string name, Func<Envelope, bool> which, double fromSeconds = 0, double untilSeconds = 1e9)
    {
        _drops.Add(new DropRule(name, which, Ms(fromSeconds), Ms(untilSeconds)));
        return this;
    }

    public CrashStep Crash(int node) => new(this, node);

    /// <summary>
    /// The proposer of round 0 at <paramref name="height"/> gets its proposal to <paramref name="reaching"/> peers only,
    /// then dies before anything else leaves it; it restarts after <paramref name="restartAfterSeconds"/>.
    /// </summary>
    public ScenarioBuilder CrashProposer(ulong height, int reaching, double restartAfterSeconds = 5)
    {
        _hooks.Add(sim =>
        {
            bool done = false; // once: after its restart the proposer sends the same proposal again, and lives
            foreach (var node in sim.Nodes)
                node.OnOutgoing = (self, message, to) =>
                {
                    var e = new Envelope(self.Index, self.Index, message);
                    if (done || !e.IsProposal || e.Height != height || e.Round != 0 || to is not null) return true;
                    done = true;
                    foreach (var peer in sim.Peers(self.Index).Take(reaching)) sim.Network.Send(self.Index, peer, message);
                    self.Muted = true;
                    sim.Trace(self.Index, $"proposer of {height}/0 reached {reaching} peer(s) and dies");
                    sim.Scheduler.After(0, self.Crash);
                    sim.Scheduler.After(Ms(restartAfterSeconds), self.Boot);
                    return false;
                };
        });
        return this;
    }

    public ValidatorStep AddValidator(int node, long power) => new(this, node, power);

    /// <summary>
    /// The node's process dies at its <paramref name="writePoint"/>-th write to its WAL directory (counted from its first
    /// boot), losing or tearing what it had not synced, and restarts <paramref name="restartAfterSeconds"/> later.
    /// </summary>
    public ScenarioBuilder CrashAtWrite(int node, int writePoint, double restartAfterSeconds = 0.2) => Hook(sim =>
    {
        sim.Nodes[node].Storage.CrashAtWrite = writePoint;
        sim.Nodes[node].RestartAfterWriteCrashMs = Ms(restartAfterSeconds);
    });

    /// <summary>Runs until every honest node stored <paramref name="untilHeight"/> (or the limit passes), checking every property.</summary>
    public SimulationRun Run(ulong untilHeight, double limitSeconds = 300)
    {
        var scenario = new Scenario
        {
            Seed = _seed, Powers = _powers, Observers = _observers, TargetHeight = untilHeight, GstMs = 0,
            MaxDelayMs = 50, SyncDelayMs = 50, Byzantine = _byzantine, Partitions = _partitions, Drops = _drops,
            Crashes = _crashes, DownForGood = _downForGood, LivenessLimitMs = Ms(limitSeconds),
        };
        var sim = new Simulation(scenario, trace: true);
        foreach (var hook in _hooks) hook(sim);
        return new SimulationRun(sim, sim.Run());
    }

    internal ScenarioBuilder Hook(Action<Simulation> hook) { _hooks.Add(hook); return this; }

    internal ScenarioBuilder AddCrash(CrashPlan crash) { _crashes.Add(crash); return this; }

    internal ScenarioBuilder DownForGood(int node) { _downForGood.Add(node); return this; }

    internal static long Ms(double seconds) => (long)(seconds * 1000);

    /// <summary>When a node crashes, and whether it comes back.</summary>
    public sealed class CrashStep(ScenarioBuilder builder, int node)
    {
        private double _restartAfter = -1;

        public CrashStep RestartAfter(double seconds) { _restartAfter = seconds; return this; }

        /// <summary>As soon as the node starts deciding <paramref name="height"/>.</summary>
        public ScenarioBuilder AtHeight(ulong height) => (_restartAfter < 0 ? builder.DownForGood(node) : builder).Hook(sim =>
        {
            var target = sim.Nodes[node];
            target.OnCommitted = (self, block) =>
            {
                if (block.Header.Height + 1 != height || self.Crashes > 0) return;
                sim.Scheduler.After(0, self.Crash);
                if (_restartAfter >= 0) sim.Scheduler.After(Ms(_restartAfter), self.Boot);
            };
        });

        public ScenarioBuilder At(double seconds) => builder.AddCrash(new CrashPlan(node, Ms(seconds), _restartAfter < 0 ? -1 : Ms(_restartAfter)));
    }

    /// <summary>When a validator-set change is submitted.</summary>
    public sealed class ValidatorStep(ScenarioBuilder builder, int node, long power)
    {
        /// <summary>Submitted when the first honest node starts deciding <paramref name="height"/>.</summary>
        public ScenarioBuilder AtHeight(ulong height) => builder.Hook(sim =>
        {
            bool submitted = false;
            foreach (var target in sim.Nodes)
            {
                var previous = target.OnCommitted;
                target.OnCommitted = (self, block) =>
                {
                    previous?.Invoke(self, block);
                    if (submitted || block.Header.Height + 1 != height) return;
                    submitted = true;
                    sim.SubmitChange(new ValidatorChangePlan(node, power, sim.Elapsed));
                };
            }
        });
    }
}

/// <summary>A finished scripted run and the expectations a story states about it.</summary>
public sealed class SimulationRun(Simulation sim, SimulationResult result)
{
    public Simulation Sim { get; } = sim;
    public SimulationResult Result { get; } = result;

    /// <summary>Every property held: agreement, validity, equal app hashes, no honest double sign, termination.</summary>
    public SimulationRun ExpectSafeAndLive()
    {
        Assert.True(Result.Passed, Result.Report());
        return this;
    }

    /// <summary>Height <paramref name="atHeight"/> was decided within the first <paramref name="rounds"/> rounds, on every honest node that decided it.</summary>
    public SimulationRun ExpectDecisionWithin(int rounds, ulong atHeight)
    {
        ExpectSafeAndLive();
        var decided = Sim.HonestNodes.Where(n => n.DecisionRounds.ContainsKey(atHeight)).Select(n => n.DecisionRounds[atHeight]).ToList();
        Assert.NotEmpty(decided);
        Assert.True(decided.Max() < rounds, $"height {atHeight} was decided in round {decided.Max()}, not within {rounds} rounds\n{Result.Report()}");
        return this;
    }

    /// <summary>The height at which the decided chain first carries a validator-set change.</summary>
    public ulong HeightOfFirstValidatorChange()
    {
        var app = Sim.Nodes[0].App;
        for (ulong h = 1; h <= app.Height; h++)
            if (app.CommittedBlock(h)!.Transactions.Any(t => t[0] == SimApplication.SetValidatorsTransaction)) return h;
        throw new InvalidOperationException("no validator-set change was committed");
    }

    /// <summary>Heights at which node <paramref name="node"/> signed any vote.</summary>
    public IReadOnlySet<ulong> VoteHeightsOf(int node) => Sim.Nodes[node].SignedVoteHeights;

    /// <summary>The commit of <paramref name="height"/> as node 0 stored it.</summary>
    public BlockCommit CommitAt(ulong height) => Sim.Nodes[0].App.CommittedBlock(height)!.Commit;

    public string Hash(ulong height) => BlockHeaderHashing.Hash(Sim.Nodes[0].App.CommittedBlock(height)!.Header).ToString();
}
