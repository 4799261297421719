using Microsoft.Extensions.Diagnostics.HealthChecks;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Operations;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Operations;

/// <summary>/readyz and grpc.health.v1: ready only while caught up and committing, with the reason when not.</summary>
public class NodeReadinessTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BeforeTheFirstCommit_IsNotReady()
    {
        var (ready, reason) = new NodeReadiness(new CommitWatch(), new ManualClock(Start), TimeSpan.FromSeconds(10)).Check();
        Assert.False(ready);
        Assert.Contains("not committed a block", reason);
    }

    [Fact]
    public void RecentCommit_IsReady_AndAStalledDriver_IsNotReady_NamingTheGap()
    {
        var clock = new ManualClock(Start);
        var commits = new CommitWatch();
        var readiness = new NodeReadiness(commits, clock, TimeSpan.FromSeconds(10));
        commits.Record(7, clock.GetUtcNow().ToUnixTimeMilliseconds());
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal((true, "block 7 committed 10000 ms ago"), readiness.Check());

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var (ready, reason) = readiness.Check();
        Assert.False(ready);
        Assert.Equal("no block committed for 10001 ms (block 7); more than 10000 ms counts as stalled", reason);
    }

    [Fact]
    public void CatchingUp_IsNotReady_EvenWhileCommitting_AndNamesWhy()
    {
        var clock = new ManualClock(Start);
        var commits = new CommitWatch();
        var readiness = new NodeReadiness(commits, clock, TimeSpan.FromSeconds(10));
        commits.Record(7, clock.GetUtcNow().ToUnixTimeMilliseconds());
        readiness.CatchingUp = "at height 7 of 120 known to peers";
        Assert.Equal((false, "catching up: at height 7 of 120 known to peers"), readiness.Check());
        readiness.CatchingUp = null;
        Assert.True(readiness.Check().Ready);
    }

    [Fact]
    public async Task GrpcHealth_IsServingExactlyWhenReady_WithTheSameReason()
    {
        var clock = new ManualClock(Start);
        var commits = new CommitWatch();
        var check = new CommitHealthCheck(new NodeReadiness(commits, clock, TimeSpan.FromSeconds(10)));
        var before = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("not committed a block", before.Description);
        commits.Record(1, clock.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Theory]
    [InlineData(200, 5, 10_000)]
    [InlineData(1_000, 5, 10_000)]
    [InlineData(60_000, 5, 300_000)]
    [InlineData(1_000, 30, 30_000)]
    public void StaleAfter_IsReadyWithinHeartbeats_AndAtLeastTenSeconds(long heartbeatMs, int heartbeats, long expectedMs)
        => Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new NodeOptions { HeartbeatMs = heartbeatMs, ReadyWithinHeartbeats = heartbeats }.StaleAfter);
}
