using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace P2PEnergy.Node.Api;

/// <summary>
/// What <c>grpc.health.v1.Health</c> reports: SERVING exactly when the node is ready (<see cref="NodeReadiness"/>, the
/// same answer /readyz gives), NOT_SERVING with the reason otherwise.
/// </summary>
public sealed class CommitHealthCheck(NodeReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ready, reason) = readiness.Check();
        return Task.FromResult(ready ? HealthCheckResult.Healthy(reason) : HealthCheckResult.Unhealthy(reason));
    }
}
