using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Grid;
using P2PEnergy.Node.Tests.Hosting;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Operations;

/// <summary>
/// The operations endpoint of a node in-process (grid model in genesis; clock two hours after genesis, so settlement has
/// run): /healthz and /readyz over HTTP/1.1 (curl when installed), and /metrics in Prometheus text, every line parsed,
/// with every metric docs/operator.md lists present and sane.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OperationsEndpointTests : IAsyncLifetime
{
    private readonly NodeDirectory _directory = new(SmallFeeder.File().ToJsonBytes());
    private NodeHost? _host;
    private GrpcChannel? _channel;

    private NodeHost Host => _host!;
    private Uri Operations => Host.OperationsAddress!;

    public async Task InitializeAsync()
    {
        _host = _directory.CreateHost(heartbeatMs: 200, sinceGenesis: TimeSpan.FromHours(2));
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StartAsync(startup.Token);
        _channel = NodeChannel.Create(_host.Address);
        await WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _directory.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        for (int attempt = 0; attempt < 200 && !Host.Readiness.Check().Ready; attempt++) await Task.Delay(50);
        Assert.True(Host.Readiness.Check().Ready, Host.Readiness.Check().Reason);
    }

    [Fact]
    public async Task Healthz_AndReadyz_AnswerOverHttp11_WithTheirStatusAndReason()
    {
        var health = await Http11Probe.GetAsync(new Uri(Operations, "/healthz"));
        Assert.Equal((200, "HTTP/1.1", "ok\n"), (health.Status, health.Version, health.Body));
        var ready = await Http11Probe.GetAsync(new Uri(Operations, "/readyz"));
        Assert.Equal((200, "HTTP/1.1"), (ready.Status, ready.Version));
        Assert.Matches(@"^ready: block \d+ committed \d+ ms ago\n$", ready.Body);
    }

    [Fact]
    public async Task Readyz_WhileCatchingUp_Is503_NamingWhy_AndGrpcHealthAgrees()
    {
        Host.Readiness.CatchingUp = "at height 3 of 40 known to peers";
        try
        {
            var ready = await Http11Probe.GetAsync(new Uri(Operations, "/readyz"));
            Assert.Equal((503, "not ready: catching up: at height 3 of 40 known to peers\n"), (ready.Status, ready.Body));
            var status = await _channel!.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal((false, "catching up: at height 3 of 40 known to peers"), (status.Ready, status.Readiness));
            // Liveness is another question: the process and its store are fine.
            Assert.Equal(200, (await Http11Probe.GetAsync(new Uri(Operations, "/healthz"))).Status);
        }
        finally { Host.Readiness.CatchingUp = null; }
    }

    /// <summary>Whether a scrape has counted the test's committed deposit (and the block execution it came in).</summary>
    private static bool Counted(Http11Probe.Answer scrape)
    {
        if (scrape.Status != 200) return false;
        var metrics = PrometheusText.Parse(scrape.Body);
        return metrics.Samples.Any(s => s.Name == "p2pe_transactions_committed" && s.Labels.GetValueOrDefault("code") == "OK" && s.Value >= 1)
            && metrics.Samples.Any(s => s.Name == "p2pe_block_execution_duration_count" && s.Value >= 2);
    }

    [Fact]
    public async Task Metrics_ParseAsPrometheusText_AndCarryEveryNodeMetric_WithSaneValues()
    {
        var chain = _directory.Chain;
        // One transaction that commits and one the mempool refuses, so both counters have a series.
        var deposit = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(chain.Alice.Address.Bytes), Amount = 5, Reference = "metrics", Nonce = 77 }, chain.Operator);
        var ledger = _channel!.Ledger();
        Assert.True((await ledger.SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = deposit.ToByteString() })).Accepted);
        Assert.False((await ledger.SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = ByteString.CopyFromUtf8("not an envelope") })).Accepted);
        await foreach (var _ in ledger.WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(Contracts.Ledger.TransactionId.Of(deposit.ToByteArray()).Bytes) }, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseStream.ReadAllAsync()) { }

        // The watch can answer from the store before the block is announced to the metrics (a commit is stored first):
        // scrape until the commit is counted, within a bound, then check the whole scrape.
        var scrape = await Http11Probe.GetAsync(new Uri(Operations, "/metrics"));
        for (var until = DateTime.UtcNow.AddSeconds(20); !Counted(scrape) && DateTime.UtcNow < until; scrape = await Http11Probe.GetAsync(new Uri(Operations, "/metrics")))
            await Task.Delay(100);
        Assert.Equal(200, scrape.Status);
        var metrics = PrometheusText.Parse(scrape.Body);

        foreach (var name in NodeMetricNames.All) Assert.True(metrics.Types.ContainsKey(name), $"/metrics lacks {name}");
        // ASP.NET Core's per-request meters (hosting, routing, memory pool) are not exported: they cost the node CPU on
        // every call and every pooled buffer, for series no dashboard or alert reads.
        Assert.DoesNotContain(metrics.Types.Keys, name => name.StartsWith("microsoft_aspnetcore_", StringComparison.Ordinal) && !name.StartsWith("microsoft_aspnetcore_server_kestrel_", StringComparison.Ordinal));
        Assert.Contains(metrics.Types.Keys, name => name.StartsWith("microsoft_aspnetcore_server_kestrel_", StringComparison.Ordinal));
        ulong height = (await ledger.GetNodeStatusAsync(new GetNodeStatusRequest())).Height;
        Assert.InRange(metrics.Value("p2pe_chain_height"), 2, height);
        Assert.Equal(1, metrics.Value("p2pe_node_ready"));
        Assert.Equal(0, metrics.Value("p2pe_consensus_round"));
        Assert.Equal(1, metrics.Value("p2pe_consensus_step")); // waiting to propose the next height
        Assert.Equal(0, metrics.Value("p2pe_peers"));
        Assert.InRange(metrics.Value("p2pe_mempool_transactions"), 0, 1);
        Assert.InRange(metrics.Value("p2pe_mempool_bytes"), 0, 1_000);
        Assert.Equal(1, metrics.Value("p2pe_transactions_committed", "code", "OK"));
        Assert.Equal(1, metrics.Value("p2pe_mempool_rejections", "reason", "MALFORMED"));
        Assert.InRange(metrics.Value("p2pe_block_interval_count"), 1, height);
        Assert.InRange(metrics.Value("p2pe_block_interval_sum") / metrics.Value("p2pe_block_interval_count"), 0.001, 5);
        Assert.InRange(metrics.Value("p2pe_block_execution_duration_count"), 2, height);
        foreach (var interval in new[] { "current", "next" })
            Assert.InRange(metrics.Family("p2pe_grid_max_loading").Single(s => s.Labels["interval"] == interval).Value, 0, 100);
        Assert.Equal(0, metrics.Value("p2pe_settlement_lag"));
        // Two hours after genesis with a one-hour reading window: the intervals ending by 01:00 have settled.
        Assert.Equal(LedgerHarness.Genesis.AddMinutes(45).ToUnixTimeSeconds(), metrics.Value("p2pe_settlement_last_interval"));
        Assert.Equal(0, metrics.Value("p2pe_settlement_polr_energy", "direction", "supplied"));
        Assert.Equal(0, metrics.Value("p2pe_settlement_polr_energy", "direction", "absorbed"));
        Assert.InRange(metrics.Value("system_runtime_dotnet_process_memory_working_set"), 10e6, 4e9);
        Assert.True(metrics.Family("system_runtime_dotnet_gc_collections").Any());
        Assert.InRange(metrics.Family("p2pe_api_calls").Sum(s => s.Value), 3, 1_000);
    }

    [Fact]
    public async Task Metrics_AreServedOnTheOperationsPortOnly_AndTheApiNeverThere()
    {
        using var http11 = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.NotFound, (await http11.GetAsync(new Uri(Host.WebAddress!, "/metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http11.GetAsync(new Uri(Host.WebAddress!, "/readyz"))).StatusCode);
        using var grpcWeb = new HttpRequestMessage(HttpMethod.Post, new Uri(Operations, "/p2pe.v1.Ledger/GetNodeStatus")) { Content = new ByteArrayContent(new byte[5]) };
        grpcWeb.Content.Headers.ContentType = new("application/grpc-web");
        Assert.Equal(HttpStatusCode.NotFound, (await http11.SendAsync(grpcWeb)).StatusCode);
    }
}

/// <summary>The metric families the node exports and docs/operator.md, the dashboard and the alert rules rely on.</summary>
public static class NodeMetricNames
{
    public static readonly string[] All =
    [
        "p2pe_node_ready", "p2pe_chain_height", "p2pe_block_interval", "p2pe_block_execution_duration", "p2pe_consensus_round", "p2pe_consensus_step",
        "p2pe_peers", "p2pe_mempool_transactions", "p2pe_mempool_bytes", "p2pe_transactions_committed", "p2pe_mempool_rejections",
        "p2pe_grid_max_loading", "p2pe_settlement_lag", "p2pe_settlement_last_interval", "p2pe_settlement_polr_energy",
        "p2pe_api_calls", "p2pe_api_call_duration", "system_runtime_dotnet_process_memory_working_set", "system_runtime_dotnet_gc_collections",
        "system_runtime_dotnet_gc_pause_time", "system_runtime_dotnet_process_cpu_time",
    ];
}
