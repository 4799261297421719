using System.Diagnostics.Metrics;
using Prometheus;
using P2PEnergy.Node.Api;

namespace P2PEnergy.Node.Operations;

/// <summary>
/// The node's System.Diagnostics.Metrics instruments in Prometheus text format, through prometheus-net's meter adapter
/// (docs/operator.md says why prometheus-net): the node's own meters (<see cref="NodeMetrics"/>, the API
/// interceptor's) and Kestrel's connection meter, created by this host, and the runtime's own <c>System.Runtime</c>
/// meter (working set, GC, CPU). Not the other meters ASP.NET Core creates on the host's factory (hosting, routing,
/// memory pool): they record on every request and every pooled buffer, and exporting them cost the node several
/// microseconds per submitted transaction for series nothing reads. A registry of its own per
/// host, so two nodes in one process (tests) never mix their series, and none of prometheus-net's default collectors:
/// the runtime meter covers the process.
/// </summary>
public sealed class MetricsExport : IDisposable
{
    /// <summary>The runtime's built-in meter (.NET 9+): dotnet.process.memory.working_set, dotnet.gc.*, dotnet.process.cpu.time, …</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Kestrel's connection metrics (per connection, not per request): open connections, TLS handshakes.</summary>
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    private static readonly HashSet<string> HostMeters = [NodeMetrics.MeterName, Api.ApiCallInterceptor.MeterName, KestrelMeter];

    private readonly IDisposable _adapter;
    private readonly MetricsGate _gate;

    public MetricsExport(IMeterFactory hostMeters, MetricsGate gate)
    {
        _gate = gate;
        Registry = Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => (ReferenceEquals(instrument.Meter.Scope, hostMeters) && HostMeters.Contains(instrument.Meter.Name)
                && !(instrument.Meter.Name == KestrelMeter && IsHistogram(instrument))) || instrument.Meter.Name == RuntimeMeter,
            ResolveHistogramBuckets = instrument => instrument.Unit == "s" ? SecondsBuckets : MeterAdapterOptions.DefaultHistogramBuckets,
        });
    }

    /// <summary>1 ms to 1 min: API calls, block execution and block intervals (a heartbeat is a second; a stall is longer).</summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public CollectorRegistry Registry { get; }

    // Kestrel records its duration histograms itself, outside the MetricsGate, so a scrape could catch one mid-update;
    // its counters and up-down counters (open, queued, upgraded connections) are single values and stay exported.
    private static bool IsHistogram(Instrument instrument)
        => instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);

    /// <summary>
    /// The exposition in Prometheus text format, serialised while no histogram is mid-recording (<see cref="MetricsGate"/>).
    /// Into memory first: the gate is held for the serialisation only, never while a slow scraper reads the response.
    /// </summary>
    public byte[] Scrape() => _gate.Scrape(() =>
    {
        using var text = new MemoryStream();
        // Synchronous under the gate (a lock is thread-bound): to a MemoryStream the export does no I/O to wait for.
        Registry.CollectAndExportAsTextAsync(text).GetAwaiter().GetResult();
        return text.ToArray();
    });

    public void Dispose() => _adapter.Dispose();
}
