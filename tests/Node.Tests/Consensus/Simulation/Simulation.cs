using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// N validators (and observers) in one process over a simulated network, driven by one seeded scheduler on a virtual
/// clock: TigerBeetle's VOPR in miniature. Everything random comes from the scenario's seed, so a seed is a replay.
/// </summary>
public sealed class Simulation
{
    public const ulong ChainId = 31337;
    /// <summary>Virtual time at the start: the genesis time plus ten seconds.</summary>
    public static readonly long GenesisTimeMs = DateTimeOffset.Parse("2026-11-22T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    private const long StartMs = 10_000;
    /// <summary>A run that takes more events than this is stuck in a loop, whatever its faults.</summary>
    private const long MaxEvents = 3_000_000;

    private static readonly PrivateKey[] Keys = Enumerable.Range(0, 16)
        .Select(i => new PrivateKey(Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes($"p2pe simulation validator {i}")).Bytes)).ToArray();

    private readonly Dictionary<(Hash32, Signature), Address> _recovered = [];
    private readonly Dictionary<Address, int> _indexOf = [];
    private readonly List<string>? _trace;

    public Simulation(Scenario scenario, bool trace = false)
    {
        Scenario = scenario;
        _trace = trace ? [] : null;
        var random = new SimRandom(scenario.Seed);
        Scheduler = new Scheduler(GenesisTimeMs + StartMs);
        Clock = new VirtualClock(Scheduler);
        Options = new DriverOptions(ChainId, gossipInterval: TimeSpan.FromSeconds(1));
        Recover = (digest, signature) =>
        {
            if (!_recovered.TryGetValue((digest, signature), out var address)) _recovered[(digest, signature)] = address = Signer.Recover(digest, signature);
            return address;
        };
        Checker = new Checker(ChainId, Recover);
        Network = new SimNetwork(this, random.Fork());
        var genesis = ValidatorSet.Create(Enumerable.Range(0, scenario.Validators).Select(i => (Keys[i].Address, scenario.Powers[i])));
        int count = scenario.Validators + scenario.Observers;
        for (int i = 0; i < count; i++)
        {
            _indexOf[Keys[i].Address] = i;
            var app = new SimApplication(ChainId, GenesisTimeMs, genesis, random.Fork(), scenario.InvalidPermille);
            var byzantine = scenario.Byzantine.TryGetValue(i, out var fault) ? Byzantine.For(fault) : null;
            Nodes.Add(new SimNode(this, i, Keys[i], app, random.Fork(), byzantine));
        }
    }

    public Scenario Scenario { get; }
    public Scheduler Scheduler { get; }
    public VirtualClock Clock { get; }
    public DriverOptions Options { get; }
    public SignatureRecovery Recover { get; }
    public Checker Checker { get; }
    public SimNetwork Network { get; }
    public List<SimNode> Nodes { get; } = [];
    public List<Evidence> Evidence { get; } = [];

    /// <summary>Virtual milliseconds since the start.</summary>
    public long Elapsed => Scheduler.Now - GenesisTimeMs - StartMs;

    public static Address AddressOf(int node) => Keys[node].Address;

    public static PrivateKey KeyOf(int node) => Keys[node];

    public int IndexOf(Address address) => _indexOf[address];

    public bool IsByzantine(int node) => Scenario.Byzantine.ContainsKey(node);

    public IEnumerable<int> Peers(int node) => Enumerable.Range(0, Nodes.Count).Where(i => i != node);

    /// <summary>The honest nodes that must reach the target: every node without a Byzantine behaviour that is not down for good.</summary>
    public IEnumerable<SimNode> HonestNodes
        => Nodes.Where(n => n.Behaviour is null && !Scenario.DownForGood.Contains(n.Index) && !Scenario.Crashes.Any(c => c.Node == n.Index && c.RestartAfterMs < 0));

    /// <summary>Runs until every honest node stored the target height, a property fails, or the liveness limit passes.</summary>
    public SimulationResult Run()
    {
        foreach (var node in Nodes) Scheduler.At(Scheduler.Now, node.Boot);
        foreach (var crash in Scenario.Crashes)
        {
            Scheduler.At(Scheduler.Now + crash.AtMs, () => Nodes[crash.Node].Crash());
            if (crash.RestartAfterMs >= 0) Scheduler.At(Scheduler.Now + crash.AtMs + crash.RestartAfterMs, () => Nodes[crash.Node].Boot());
        }
        foreach (var change in Scenario.Changes)
            Scheduler.At(Scheduler.Now + change.AtMs, () => SubmitChange(change));
        long deadline = Scenario.GstMs + Scenario.LivenessLimitMs;
        bool done = false;
        while (!Checker.Violated && Scheduler.Executed < MaxEvents && Elapsed <= deadline && Scheduler.Step())
        {
            if (HonestNodes.All(n => n.App.Height >= Scenario.TargetHeight)) { done = true; break; }
        }
        var failures = Checker.Violations.ToList();
        if (!done && failures.Count == 0 && Scenario.WithinFaultBound)
        {
            string heights = string.Join(", ", Nodes.Select(n => $"node {n.Index}: height {n.App.Height}{(n.Up ? $" at {n.Driver!.State.Height}/{n.Driver.State.Round} {n.Driver.State.Step}" : " (down)")}"));
            failures.Add(Scheduler.Executed >= MaxEvents
                ? $"termination: {MaxEvents} events without reaching height {Scenario.TargetHeight} ({heights})"
                : $"termination: height {Scenario.TargetHeight} not reached {Scenario.LivenessLimitMs} ms after GST ({heights})");
        }
        return new SimulationResult(Scenario, failures, Elapsed, Scheduler.Executed, Network.Sent, _trace);
    }

    /// <summary>Puts a validator-set change in every mempool: the current set with this node's power changed (0 removes it).</summary>
    public void SubmitChange(ValidatorChangePlan change)
    {
        var reference = Nodes.Where(n => n.Behaviour is null).MaxBy(n => n.App.Height)!.App;
        var set = reference.ValidatorsAt(reference.Height + 1).Validators.ToDictionary(v => v.Address, v => v.Power);
        if (change.Power > 0) set[AddressOf(change.Node)] = change.Power;
        else set.Remove(AddressOf(change.Node));
        var tx = SimApplication.SetValidators(set.OrderBy(v => v.Key).Select(v => (v.Key, v.Value)));
        foreach (var node in Nodes) node.App.Submit(tx);
        Trace(-1, $"validator change submitted: node {change.Node} power {change.Power}");
    }

    /// <summary>Whether this run keeps a trace (callers skip building trace lines otherwise: the thousand-seed run is hot).</summary>
    public bool Tracing => _trace is not null;

    public void Trace(int node, string what) => _trace?.Add($"{Elapsed,9} ms  {(node < 0 ? "sim" : $"node {node}"),-7} {what}");

    public ILogger Logger(int node) => _trace is null ? NullLogger.Instance : new TraceLogger(this, node);

    private sealed class TraceLogger(Simulation sim, int node) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => sim.Trace(node, $"{logLevel}: {formatter(state, exception)}");
    }
}

/// <summary>The outcome of one run: its failures (empty: every property held), how far it got, and its trace when kept.</summary>
public sealed record SimulationResult(Scenario Scenario, IReadOnlyList<string> Failures, long ElapsedMs, long Events, long Messages, IReadOnlyList<string>? Trace)
{
    public bool Passed => Failures.Count == 0;

    public string Report(int traceLines = 200)
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {Scenario.Seed}: {Scenario.Describe()}");
        foreach (var failure in Failures) text.AppendLine($"  FAILED {failure}");
        text.AppendLine($"  {ElapsedMs} virtual ms, {Events} events, {Messages} messages");
        if (Trace is not null)
            foreach (var line in Trace.Skip(Math.Max(0, Trace.Count - traceLines))) text.AppendLine(line);
        return text.ToString();
    }
}
