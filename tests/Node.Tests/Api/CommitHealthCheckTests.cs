using Microsoft.Extensions.Diagnostics.HealthChecks;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>grpc.health.v1 reports SERVING only while the consensus driver commits.</summary>
public class CommitHealthCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static Task<HealthCheckResult> Check(CommitHealthCheck check) => check.CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task BeforeTheFirstCommit_IsNotServing()
    {
        var clock = new ManualClock(Start);
        var result = await Check(new CommitHealthCheck(new CommitWatch(), clock, TimeSpan.FromSeconds(10)));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("not committed a block", result.Description);
    }

    [Fact]
    public async Task RecentCommit_IsServing_AndAStalledDriver_IsNotServing_NamingTheGap()
    {
        var clock = new ManualClock(Start);
        var commits = new CommitWatch();
        var check = new CommitHealthCheck(commits, clock, TimeSpan.FromSeconds(10));
        commits.Record(7, clock.GetUtcNow().ToUnixTimeMilliseconds());
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Healthy, (await Check(check)).Status);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var stalled = await Check(check);
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("no block committed for 10001 ms (block 7)", stalled.Description);
        Assert.Contains("more than 10000 ms", stalled.Description);
    }

    [Theory]
    [InlineData(200, 10_000)]
    [InlineData(1_000, 10_000)]
    [InlineData(60_000, 300_000)]
    public void StaleAfter_IsFiveHeartbeats_AndAtLeastTenSeconds(long heartbeatMs, long expectedMs)
        => Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), CommitHealthCheck.StaleAfterFor(heartbeatMs));
}
