using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using P2PEnergy.Node.Storage;
using Prometheus;
using P2PEnergy.Node.Api;

namespace P2PEnergy.Node.Operations;

/// <summary>Marks a route of the operations endpoint; <see cref="OperationsOnly"/> routes are not served on the API ports.</summary>
public sealed record OperationsRoute(bool OperationsOnly);

/// <summary>
/// GET /healthz (liveness: the process answers and the store reads), /readyz (readiness, <see cref="NodeReadiness"/>:
/// 503 with the reason when not ready) and /metrics (Prometheus text, <see cref="MetricsExport"/>). Health and
/// readiness also answer on the API ports, where load balancers probe; metrics only on the operations endpoint.
/// </summary>
public static class OperationsEndpoint
{
    /// <summary>The Prometheus text exposition format's content type.</summary>
    public const string PrometheusTextType = "text/plain; version=0.0.4; charset=utf-8";

    public static void MapOperations(this IEndpointRouteBuilder app, ILedgerStore store, NodeReadiness readiness, MetricsExport metrics)
    {
        app.MapGet("/healthz", () =>
        {
            try
            {
                // A real read: a closed or broken store throws here, where the in-memory tip alone would not.
                _ = store.GetBlock(store.Height);
                return Results.Text("ok\n");
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                return Results.Text($"store unavailable: {e.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).WithMetadata(new OperationsRoute(OperationsOnly: false));
        app.MapGet("/readyz", () =>
        {
            var (ready, reason) = readiness.Check();
            return Results.Text((ready ? "ready: " : "not ready: ") + reason + "\n", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).WithMetadata(new OperationsRoute(OperationsOnly: false));
        app.MapGet("/metrics", () => Results.Bytes(metrics.Scrape(), PrometheusTextType)).WithMetadata(new OperationsRoute(OperationsOnly: true));
    }
}
