using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Node;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// <c>p2pe devnet status --dir D</c>: the height, contracts per recent interval, bot rejections by reason (counted in
/// the bots' logs), the most loaded grid element of the next interval, and the settled totals with POLR energy of
/// the recent elapsed intervals.
/// </summary>
internal static partial class DevnetStatusCommand
{
    /// <summary>The reason codes bots log as <c>REJECTED CODE</c> and that status counts.</summary>
    public static readonly string[] Reasons = ["THERMAL_LIMIT", "VOLTAGE_LIMIT", "METER_LIMIT", "INSUFFICIENT_FUNDS", "GATE_CLOSED"];

    public static Command Create(CliContext context)
    {
        var dir = new Option<string>("--dir") { Description = "The devnet directory (devnet/.run)", Required = true };
        var logs = new Option<string?>("--logs") { Description = "Directory of bot logs to count rejections in (default DIR/logs)" };
        var recent = new Option<int>("--intervals") { Description = "How many recent intervals to show (default 5)", DefaultValueFactory = _ => 5 };
        var command = new Command("status", "Summarise a running devnet") { dir, logs, recent };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var manifest = DevnetManifest.Read(parse.GetValue(dir)!);
            using var node = NodeClient.Connect(context, parse);
            var status = await node.StatusAsync();
            ulong length = (ulong)manifest.IntervalSeconds;
            ulong now = (ulong)(status.LastBlockTimeMs / 1000);
            ulong current = now / length * length;
            var contracts = await node.ContractsAsync(null);
            var rows = new JsonArray();
            var lines = new List<string> { $"height {status.Height}, chain {status.ChainId} ({status.MarketName}), {contracts.Count} contracts in all" };
            for (int k = parse.GetValue(recent) - 1; k >= 0; k--)
            {
                ulong start = current - (ulong)k * length;
                int count = contracts.Count(c => c.Terms.IntervalStart <= start && start < c.Terms.IntervalStart + c.Terms.IntervalCount * length);
                var row = new JsonObject { ["interval"] = Terms.Format(start), ["contracts"] = count };
                string settled;
                try
                {
                    var s = await node.SettlementAsync(start);
                    row["settled"] = true; row["contractPayments"] = s.ContractPayments; row["gridFees"] = s.GridFees;
                    row["polrSuppliedWh"] = s.PolrSuppliedWh; row["polrAbsorbedWh"] = s.PolrAbsorbedWh; row["readings"] = s.Readings;
                    settled = $"settled: paid {Terms.Money(s.ContractPayments)}, grid fees {Terms.Money(s.GridFees)}, readings {s.Readings}, POLR supplied {s.PolrSuppliedWh} Wh / absorbed {s.PolrAbsorbedWh} Wh";
                }
                catch (WalletException e) when (e.Reason == P2PEnergy.Contracts.Api.ApiReasons.NotSettled.Code) { row["settled"] = false; settled = "not settled yet"; }
                catch (WalletException e) when (e.Reason == P2PEnergy.Contracts.Api.ApiReasons.Settling.Code) { row["settled"] = false; settled = "settling (over several blocks)"; }
                rows.Add(row);
                lines.Add($"  {Terms.Format(start)}: {count} contracts; {settled}");
            }
            var rejected = CountRejections(parse.GetValue(logs) ?? Path.Combine(parse.GetValue(dir)!, "logs"));
            lines.Add("rejected (bot logs): " + string.Join(", ", rejected.Select(r => $"{r.Key} {r.Value}")));
            var grid = await node.GridStatusAsync(current + length);
            var loaded = grid.Elements.Where(e => e.Rating > 0).OrderByDescending(e => (double)Math.Abs(e.ActiveW) / e.Rating).FirstOrDefault();
            var gridJson = new JsonObject { ["interval"] = Terms.Format(current + length) };
            if (loaded is not null)
            {
                gridJson["element"] = loaded.Element; gridJson["kind"] = loaded.Kind; gridJson["flowW"] = loaded.ActiveW; gridJson["rating"] = loaded.Rating;
                lines.Add($"most loaded grid element in {Terms.Format(current + length)}: {loaded.Kind} {loaded.Element} {Math.Abs(loaded.ActiveW)} {loaded.RatingUnit} of {loaded.Rating} ({100.0 * Math.Abs(loaded.ActiveW) / loaded.Rating:0.#}%), voltage {grid.MinVoltageMicroPu / 1e6:0.####}–{grid.MaxVoltageMicroPu / 1e6:0.####} p.u.");
            }
            var result = new JsonObject
            {
                ["height"] = status.Height, ["contracts"] = contracts.Count, ["intervals"] = rows,
                ["rejected"] = new JsonObject([.. rejected.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))]), ["mostLoaded"] = gridJson,
            };
            if (status.Anchor is { } anchor)
            {
                result["anchor"] = new JsonObject
                {
                    ["contract"] = anchor.Contract, ["lastAnchoredHeight"] = anchor.LastAnchoredHeight, ["lag"] = anchor.Lag, ["posted"] = anchor.Posted,
                    ["failures"] = anchor.Failures, ["lastError"] = anchor.LastError,
                };
                lines.Add($"anchor {anchor.Contract}: last anchored height {anchor.LastAnchoredHeight} (lag {anchor.Lag} blocks), {anchor.Posted} checkpoint(s) posted, "
                    + $"{anchor.Failures} failed attempt(s){(anchor.LastError.Length > 0 ? $", last error: {anchor.LastError}" : "")}");
            }
            else lines.Add("anchor: off (devnet/up --anchor turns it on)");
            context.Print(json, result, string.Join(Environment.NewLine, lines));
        }));
        return command;
    }

    /// <summary>Counts <c>REJECTED CODE</c> lines per reason over every <c>*.log</c> in <paramref name="logs"/>.</summary>
    public static Dictionary<string, int> CountRejections(string logs)
    {
        var counts = Reasons.ToDictionary(r => r, _ => 0);
        if (!Directory.Exists(logs)) return counts;
        foreach (var file in Directory.EnumerateFiles(logs, "*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
                if (RejectedLine().Match(line) is { Success: true } m && counts.ContainsKey(m.Groups[1].Value)) counts[m.Groups[1].Value]++;
        }
        return counts;
    }

    [GeneratedRegex(@"REJECTED ([A-Z_]+)")]
    private static partial Regex RejectedLine();
}
