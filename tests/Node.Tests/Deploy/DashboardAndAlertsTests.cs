using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PEnergy.Node.Tests.Operations;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Deploy;

/// <summary>
/// deploy/grafana/p2pe-node.json and deploy/prometheus/p2pe-node.rules.yml reference only metrics the node exports
/// (NodeMetricNames, whose presence OperationsEndpointTests checks on a real scrape): no dead panel, no alert that can
/// never fire. The alert rules named in issue 16 exist.
/// </summary>
public sealed partial class DashboardAndAlertsTests
{
    private static readonly string Deploy = Path.Combine(RepositoryRoot.Path!, "deploy");

    // PromQL words that are not metric names: functions, aggregations, keywords.
    private static readonly HashSet<string> PromQl = new(StringComparer.Ordinal)
    {
        "rate", "irate", "increase", "changes", "delta", "deriv", "sum", "avg", "min", "max", "count", "by", "without", "on", "ignoring",
        "group_left", "group_right", "and", "or", "unless", "bool", "offset", "histogram_quantile", "max_over_time", "min_over_time",
        "avg_over_time", "label_values", "topk", "bottomk", "abs", "time", "vector", "scalar", "absent", "le",
    };

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]|""[^""]*""|\b(by|without|on|ignoring)\s*\([^)]*\)|\b\d+(\.\d+)?\b")]
    private static partial Regex NotNames();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    /// <summary>The metric names an expression reads.</summary>
    private static IEnumerable<string> MetricsIn(string expr)
        => Identifier().Matches(NotNames().Replace(expr, " ")).Select(m => m.Value).Where(word => !PromQl.Contains(word));

    private static string FamilyOf(string series)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (series.EndsWith(suffix, StringComparison.Ordinal) && NodeMetricNames.All.Contains(series[..^suffix.Length])) return series[..^suffix.Length];
        return series;
    }

    [Fact]
    public void Dashboard_EveryPanelQuery_ReadsOnlyExportedMetrics()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana", "p2pe-node.json")))!;
        var expressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => (string)t!["expr"]!)).ToList();
        Assert.True(expressions.Count >= 10, $"the dashboard has {expressions.Count} queries");
        foreach (var expr in expressions)
        {
            var metrics = MetricsIn(expr).ToList();
            Assert.NotEmpty(metrics);
            foreach (var metric in metrics) Assert.True(NodeMetricNames.All.Contains(FamilyOf(metric)), $"dashboard query '{expr}' reads {metric}, which the node does not export");
        }
        // Every node metric is on the dashboard somewhere (the API duration has its own tools; GC pause is with the collections).
        var shown = expressions.SelectMany(MetricsIn).Select(FamilyOf).ToHashSet();
        var missing = NodeMetricNames.All.Where(n => n.StartsWith("p2pe_", StringComparison.Ordinal) && n != "p2pe_api_call_duration" && n != "p2pe_settlement_last_interval" && !shown.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"not on the dashboard: {string.Join(", ", missing)}");
    }

    [Fact]
    public void AlertRules_CoverStallPeerLossSettlementLagAndReadiness_WithExportedMetricsOnly()
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy, "prometheus", "p2pe-node.rules.yml"));
        // YAML read simply: the rules are "- alert: NAME" followed by "expr: ...".
        var alerts = lines.Select(l => l.Trim()).Where(l => l.StartsWith("- alert:", StringComparison.Ordinal)).Select(l => l["- alert:".Length..].Trim()).ToList();
        var expressions = lines.Select(l => l.Trim()).Where(l => l.StartsWith("expr:", StringComparison.Ordinal)).Select(l => l["expr:".Length..].Trim()).ToList();
        Assert.Equal(["P2PEHeightStalled", "P2PENodeNotReady", "P2PEPeerLoss", "P2PESettlementLag"], alerts);
        Assert.Equal(alerts.Count, expressions.Count);
        foreach (var expr in expressions)
            foreach (var metric in MetricsIn(expr))
                Assert.True(NodeMetricNames.All.Contains(FamilyOf(metric)), $"alert expression '{expr}' reads {metric}, which the node does not export");
        Assert.Contains("p2pe_chain_height", expressions[0]);
        Assert.Contains("p2pe_node_ready", expressions[1]);
        Assert.Contains("p2pe_peers", expressions[2]);
        Assert.Contains("p2pe_settlement_lag", expressions[3]);
    }

    [Fact]
    public void TheReader_FindsMetricNames_AndNothingElse()
    {
        // The negative control: a misspelt metric is found (and would fail above), labels and functions are not.
        Assert.Equal(["p2pe_chain_hieght"], MetricsIn("changes(p2pe_chain_hieght{instance=~\"a\"}[1m]) == 0"));
        Assert.Equal(["p2pe_block_interval_sum", "p2pe_block_interval_count"], MetricsIn("rate(p2pe_block_interval_sum[5m]) / rate(p2pe_block_interval_count[5m])"));
        Assert.Equal(["p2pe_api_calls"], MetricsIn("sum by (status) (rate(p2pe_api_calls[5m]))"));
    }
}
