using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The checker can fail: with more than 1/3 of the power Byzantine, Tendermint promises nothing, and colluding validators
/// that show each honest node a different block make two honest nodes commit different blocks at one height. If the
/// checker did not see that within a few seeds, its "no violation" over the thousand seeds would mean nothing.
/// </summary>
public sealed class NegativeControlTests(ITestOutputHelper output)
{
    private const int SeedLimit = 50;

    private static Scenario Colluders(ulong seed) => new()
    {
        Seed = seed, Powers = [1, 1, 1, 1], TargetHeight = 6, MaxDelayMs = 40, SyncDelayMs = 40,
        Byzantine = new() { [0] = Fault.Colluder, [1] = Fault.Colluder }, // 2 of 4: one half of the power
        LivenessLimitMs = 60_000,
    };

    [Fact]
    public void MoreThanAThirdByzantine_CheckerFindsAgreementViolation_WithinFiftySeeds()
    {
        for (ulong seed = 1; seed <= SeedLimit; seed++)
        {
            var result = new Simulation(Colluders(seed)).Run();
            if (result.Failures.Any(f => f.StartsWith("agreement:", StringComparison.Ordinal)))
            {
                output.WriteLine($"seed {seed}: {string.Join("; ", result.Failures)}");
                return;
            }
        }
        Assert.Fail($"no agreement violation in {SeedLimit} seeds with half the power colluding: the checker cannot see forks");
    }

    [Fact]
    public void ColludersBelowAThird_CannotFork()
    {
        // The same attack with one colluder of four (1/4 of the power) stays safe and live.
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var scenario = new Scenario
            {
                Seed = seed, Powers = [1, 1, 1, 1], TargetHeight = 6, MaxDelayMs = 40, SyncDelayMs = 40,
                Byzantine = new() { [0] = Fault.Colluder },
            };
            var result = new Simulation(scenario).Run();
            Assert.True(result.Passed, result.Report(traceLines: 0));
        }
    }
}
