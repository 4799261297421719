using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The randomized simulation: a thousand seeded mixed-fault scenarios in the default suite, every property checked.
/// A failing seed prints the one command that replays it with a full trace; <c>P2PE_SIM_SOAK=N</c> runs N more seeds.
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    public const string SeedVariable = "P2PE_SIM_SEED";
    public const string SoakVariable = "P2PE_SIM_SOAK";
    private const int DefaultSeeds = 1000;

    [Fact]
    public void ThousandSeededScenarios_KeepEveryProperty()
    {
        var failures = RunSeeds(1, DefaultSeeds);
        Assert.True(failures.IsEmpty, Describe(failures));
    }

    /// <summary>Replays one seed with its trace: <c>P2PE_SIM_SEED=42 dotnet test tests/Node.Tests --filter "FullyQualifiedName~SimulationTests.ReplaySeed"</c>.</summary>
    [EnvironmentFact(SeedVariable)]
    public void ReplaySeed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable)!;
        var result = new Simulation(RandomScenarios.From(ulong.Parse(text, System.Globalization.CultureInfo.InvariantCulture)), trace: true).Run();
        output.WriteLine(result.Report(traceLines: int.MaxValue));
        Assert.True(result.Passed, result.Report(traceLines: 0));
    }

    /// <summary>The soak: <c>P2PE_SIM_SOAK=100000 dotnet test tests/Node.Tests --filter "FullyQualifiedName~SimulationTests.Soak"</c> runs seeds after the default thousand.</summary>
    [EnvironmentFact(SoakVariable)]
    public void Soak()
    {
        var text = Environment.GetEnvironmentVariable(SoakVariable)!;
        int count = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var failures = RunSeeds(DefaultSeeds + 1, count);
        Assert.True(failures.IsEmpty, Describe(failures));
    }

    private ConcurrentBag<SimulationResult> RunSeeds(int first, int count)
    {
        var failures = new ConcurrentBag<SimulationResult>();
        var clock = Stopwatch.StartNew();
        long events = 0, messages = 0;
        Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var result = new Simulation(RandomScenarios.From((ulong)seed)).Run();
            Interlocked.Add(ref events, result.Events);
            Interlocked.Add(ref messages, result.Messages);
            if (!result.Passed) failures.Add(result);
        });
        output.WriteLine($"{count} scenarios (seeds {first}..{first + count - 1}) in {clock.Elapsed.TotalSeconds:F1} s: {events} events, {messages} messages, {failures.Count} failed");
        return failures;
    }

    private static string Describe(IEnumerable<SimulationResult> failures)
        => string.Join("\n", failures.OrderBy(f => f.Scenario.Seed).Take(10).Select(f =>
            f.Report(traceLines: 0) + $"  replay: {SeedVariable}={f.Scenario.Seed} dotnet test tests/Node.Tests --filter \"FullyQualifiedName~SimulationTests.ReplaySeed\""));
}
