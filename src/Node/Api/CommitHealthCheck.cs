using Microsoft.Extensions.Diagnostics.HealthChecks;
using P2PEnergy.Node.Consensus;

namespace P2PEnergy.Node.Api;

/// <summary>
/// What <c>grpc.health.v1.Health</c> reports: SERVING only while the consensus driver commits — it has committed a
/// block since the store opened, and the last one no longer ago than <see cref="StaleAfter"/> (an idle chain still
/// commits a heartbeat block every Node:HeartbeatMs). Until then, and when commits stop, NOT_SERVING.
/// </summary>
public sealed class CommitHealthCheck(CommitWatch commits, TimeProvider clock, TimeSpan staleAfter) : IHealthCheck
{
    public TimeSpan StaleAfter { get; } = staleAfter;

    /// <summary>How long without a commit counts as stalled, for a chain whose idle heartbeat is <paramref name="heartbeatMs"/>.</summary>
    public static TimeSpan StaleAfterFor(long heartbeatMs) => TimeSpan.FromMilliseconds(Math.Max(10_000, 5 * heartbeatMs));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (commits.LastCommitMs is not { } last)
            return Task.FromResult(HealthCheckResult.Unhealthy("the consensus driver has not committed a block since the node started"));
        long ageMs = clock.GetUtcNow().ToUnixTimeMilliseconds() - last;
        return Task.FromResult(ageMs > StaleAfter.TotalMilliseconds
            ? HealthCheckResult.Unhealthy($"no block committed for {ageMs} ms (block {commits.Height}); more than {StaleAfter.TotalMilliseconds:0} ms counts as stalled")
            : HealthCheckResult.Healthy($"block {commits.Height} committed {ageMs} ms ago"));
    }
}
