using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Operations;
using P2PEnergy.Node.Tests.Support;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Deploy;

/// <summary>
/// Issue 16's "done": the published p2pe-node (the apphost, not dotnet run) with a settings file that binds every
/// interface with TLS on a certificate made here, reached via 127.0.0.1 — /healthz and /readyz over HTTP/1.1, /metrics
/// scraped and parsed, an online backup taken while transactions commit, restored into a new data directory, and
/// verify passing on it.
/// </summary>
[Collection(PublishedBinaries.Collection)]
[Trait("Category", "Integration")]
public sealed class PublishedNodeTests(PublishedBinaries published, ITestOutputHelper output)
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(120);

    private Task<(int Exit, string Output)> NodeAsync(params string[] arguments) => PublishedBinaries.RunAsync(published.Node, arguments, CommandLimit);

    [Fact]
    public async Task PublishedNode_OnEveryInterfaceWithTls_Probes_Scrapes_BacksUpUnderLoad_Restores_AndVerifies()
    {
        var chain = new LiveChain();
        var root = Directory.CreateTempSubdirectory("p2pe-published-node-").FullName;
        NodeProcess? node = null;
        try
        {
            string genesis = Path.Combine(root, "genesis.json"), password = Path.Combine(root, "password.txt"), key = Path.Combine(root, "validator.key");
            string data = Path.Combine(root, "data"), restored = Path.Combine(root, "restored"), backup = Path.Combine(root, "backup.tar");
            File.WriteAllText(genesis, chain.Document.ToJson());
            File.WriteAllText(password, NodeWorkspace.Password + "\n");
            File.WriteAllText(key, "0x" + Convert.ToHexStringLower(chain.Keys.Validator.Bytes));
            var init = await NodeAsync("init", "--genesis", genesis, "--data-dir", data, "--password-file", password, "--validator-key-file", key);
            Assert.True(init.Exit == 0, init.Output);

            // The operator's settings file: every interface, TLS from PEM files beside it, JSON logs.
            var certificate = TestCertificate.Create(Path.Combine(data, "tls"));
            var tls = new JsonObject { ["CertificateFile"] = "tls/node.crt", ["KeyFile"] = "tls/node.key" };
            File.WriteAllText(Path.Combine(data, NodeConfiguration.FileName), new JsonObject
            {
                ["Node"] = new JsonObject
                {
                    ["Api"] = new JsonObject { ["Address"] = "0.0.0.0", ["Port"] = 0, ["Tls"] = tls.DeepClone() },
                    ["Operations"] = new JsonObject { ["Address"] = "0.0.0.0", ["Port"] = 0, ["Tls"] = tls.DeepClone() },
                    ["HeartbeatMs"] = 200,
                    ["LogFormat"] = "json",
                },
            }.ToJsonString());

            var start = new ProcessStartInfo(published.Node) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var argument in new[] { "run", "--data-dir", data, "--password-file", password }) start.ArgumentList.Add(argument);
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("P2PE_", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(name);
            node = await NodeProcess.StartAsync(start, Path.Combine(root, "node.log"), TimeSpan.FromSeconds(90), certificate);
            Assert.Equal("https", node.Address.Scheme);
            var operations = node.OperationsAddress ?? throw new InvalidOperationException("the node named no operations endpoint");
            Assert.Equal("https", operations.Scheme);

            string caFile = Path.Combine(data, "tls", "node.crt");
            var health = await Http11Probe.GetAsync(new Uri(operations, "/healthz"), certificate, caFile);
            Assert.Equal((200, "HTTP/1.1", "ok\n"), (health.Status, health.Version, health.Body));
            var ready = await WaitReadyAsync(new Uri(operations, "/readyz"), certificate, caFile);
            output.WriteLine($"/readyz via {ready.Via}: {ready.Status} {ready.Body.Trim()}");

            // Transactions commit while the backup is taken: it is a reader beside the running node, not a stop.
            var load = new CommitLoad(chain);
            using var stopLoad = new CancellationTokenSource();
            var traffic = load.RunAsync(node.Channel, followFromHeight: 1, workersPerKind: 1, stopLoad.Token);
            await load.WaitForWatchedCommitsAsync(20, TimeSpan.FromSeconds(60));
            var backedUp = await NodeAsync("backup", "--data-dir", data, "--to", backup, "--include-validator-key");
            Assert.True(backedUp.Exit == 0, backedUp.Output);
            int committedDuringBackup = load.WatchedCommits;
            await load.WaitForWatchedCommitsAsync(committedDuringBackup + 20, TimeSpan.FromSeconds(60));
            output.WriteLine(backedUp.Output.Trim());

            // A refusal too, so the refusals counter has a series.
            var refused = await node.Channel.Ledger().SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = Google.Protobuf.ByteString.CopyFromUtf8("not an envelope") });
            Assert.Equal("MALFORMED", refused.Code);
            var scrape = await Http11Probe.GetAsync(new Uri(operations, "/metrics"), certificate, caFile);
            var metrics = PrometheusText.Parse(scrape.Body);
            foreach (var name in NodeMetricNames.All.Where(n => !n.StartsWith("p2pe_grid", StringComparison.Ordinal) && !n.StartsWith("p2pe_settlement_last", StringComparison.Ordinal) && !n.StartsWith("p2pe_settlement_polr", StringComparison.Ordinal)))
                Assert.True(metrics.Types.ContainsKey(name), $"/metrics lacks {name}");
            Assert.True(metrics.Value("p2pe_chain_height") > 0);
            Assert.True(metrics.Family("p2pe_transactions_committed").Sum(s => s.Value) >= 40);

            stopLoad.Cancel();
            await traffic;
            var (exitCode, took) = await node.TerminateAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(0, exitCode);
            output.WriteLine($"SIGTERM: exit 0 after {took.TotalMilliseconds:0} ms");

            // JSON logs, one object per line, and no line per request at Information.
            var logLines = File.ReadAllLines(node.LogFile).Where(l => l.StartsWith('{')).ToList();
            Assert.NotEmpty(logLines);
            foreach (var line in logLines) JsonDocument.Parse(line).Dispose();
            Assert.DoesNotContain(logLines, l => l.Contains("Request starting", StringComparison.Ordinal));

            var restore = await NodeAsync("restore", "--from", backup, "--data-dir", restored);
            Assert.True(restore.Exit == 0, restore.Output);
            var verify = await NodeAsync("verify", "--data-dir", restored);
            Assert.True(verify.Exit == 0, verify.Output);
            Assert.StartsWith("OK: ", verify.Output);
            output.WriteLine($"{restore.Output.Trim()}\n{verify.Output.Trim()}");
            // The original goes on past the backup and still verifies; a restore never lands on a directory in use.
            Assert.Equal(0, (await NodeAsync("verify", "--data-dir", data)).Exit);
            var again = await NodeAsync("restore", "--from", backup, "--data-dir", restored);
            Assert.Equal((NodeExitCode.SetupError, true), (again.Exit, again.Output.Contains("is not empty", StringComparison.Ordinal)));

            // The restored directory runs (the original is stopped: one node per validator key) and commits on. The
            // certificate is not in a backup: the operator provisions it as for any node (docs/operator.md).
            Directory.CreateDirectory(Path.Combine(restored, "tls"));
            foreach (var file in new[] { "node.crt", "node.key" }) File.Copy(Path.Combine(data, "tls", file), Path.Combine(restored, "tls", file));
            var restart = new ProcessStartInfo(published.Node) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var argument in new[] { "run", "--data-dir", restored, "--password-file", password }) restart.ArgumentList.Add(argument);
            foreach (var name in restart.Environment.Keys.Where(k => k.StartsWith("P2PE_", StringComparison.OrdinalIgnoreCase)).ToList()) restart.Environment.Remove(name);
            await using var resumed = await NodeProcess.StartAsync(restart, Path.Combine(root, "restored.log"), TimeSpan.FromSeconds(90), certificate);
            var resumedReady = await WaitReadyAsync(new Uri(resumed.OperationsAddress!, "/readyz"), certificate, caFile);
            output.WriteLine($"restored node: {resumedReady.Body.Trim()}");
            Assert.Equal(0, (await resumed.TerminateAsync(TimeSpan.FromSeconds(15))).ExitCode);
        }
        finally
        {
            if (node is not null) await node.DisposeAsync();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
        }
    }

    private static async Task<Http11Probe.Answer> WaitReadyAsync(Uri readyz, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string caFile)
    {
        Http11Probe.Answer answer = null!;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            answer = await Http11Probe.GetAsync(readyz, certificate, caFile);
            if (answer.Status == 200) return answer;
            await Task.Delay(200);
        }
        throw new TimeoutException($"/readyz stayed {answer.Status}: {answer.Body}");
    }
}
