using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// <c>p2pe devnet status --dir D</c>: every node's height, round, peers, last commit's signers, mempool and lag; then
/// contracts per recent interval, bot rejections by reason (counted in the bots' logs), the most loaded grid element of
/// the next interval, and the settled totals with POLR energy of the recent elapsed intervals.
/// </summary>
internal static partial class DevnetStatusCommand
{
    /// <summary>The reason codes bots log as <c>REJECTED CODE</c> and that status counts.</summary>
    public static readonly string[] Reasons = [ReasonCodes.ThermalLimit, ReasonCodes.VoltageLimit, ReasonCodes.MeterLimit, ReasonCodes.InsufficientFunds, ReasonCodes.GateClosed];

    public static Command Create(CliContext context)
    {
        var dir = new Option<string>("--dir") { Description = "The devnet directory (devnet/.run)", Required = true };
        var logs = new Option<string?>("--logs") { Description = "Directory of bot logs to count rejections in (default DIR/logs)" };
        var recent = new Option<int>("--intervals") { Description = "How many recent intervals to show (default 5)", DefaultValueFactory = _ => 5 };
        var over = new Option<int>("--delivery-intervals") { Description = "Measure delivery over this many recent settled intervals with contracts (default 10)", DefaultValueFactory = _ => 10 };
        var command = new Command("status", "Summarise a running devnet") { dir, logs, recent, over };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            if (parse.GetValue(over) is < 1 or > 1000)
                throw new WalletException(ExitCode.Usage, "USAGE", $"--delivery-intervals must lie in [1, 1000], got {parse.GetValue(over)}");
            var manifest = DevnetManifest.Read(parse.GetValue(dir)!);
            using var node = context.ConnectNode(parse);
            var status = await node.StatusAsync();
            var currency = Market.From(status).Currency;
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
                    row["settled"] = true; row["contractPaymentsMicros"] = s.ContractPayments; row["gridFeesMicros"] = s.GridFees;
                    row["polrSuppliedWh"] = s.PolrSuppliedWh; row["polrAbsorbedWh"] = s.PolrAbsorbedWh; row["readings"] = s.Readings;
                    settled = Settled(s, currency);
                }
                catch (WalletException e) when (e.Reason == P2PEnergy.Contracts.Api.ApiReasons.NotSettled.Code) { row["settled"] = false; settled = "not settled yet"; }
                catch (WalletException e) when (e.Reason == P2PEnergy.Contracts.Api.ApiReasons.Settling.Code) { row["settled"] = false; settled = "settling (over several blocks)"; }
                rows.Add(row);
                lines.Add($"  {Terms.Format(start)}: {count} contracts; {settled}");
            }
            var (nodesJson, nodeLines) = DevnetNodeStatus.Table(await NodeStatusesAsync(parse.GetValue(dir)!), manifest.Nodes);
            lines.InsertRange(1, nodeLines);
            var offenders = DevnetNodeStatus.Offenders((await node.MisbehaviourAsync()).Records, manifest.Nodes);
            lines.Insert(1 + nodeLines.Count, offenders.Count == 0 ? "offenders: none (no evidence committed)"
                : "offenders: " + string.Join("; ", offenders.Select(o => $"{o.Name} ({o.Records} record(s), first at height {o.FirstHeight})")));
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
            var delivery = await MeasureDeliveryAsync(node, manifest, contracts, current, parse.GetValue(over));
            lines.AddRange(DeliveryLines(delivery));
            var result = new JsonObject
            {
                ["height"] = status.Height, ["contracts"] = contracts.Count, ["intervals"] = rows,
                ["rejected"] = new JsonObject([.. rejected.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))]), ["mostLoaded"] = gridJson,
                ["delivery"] = DeliveryJson(delivery), ["nodes"] = nodesJson,
                ["offenders"] = new JsonArray([.. offenders.Select(o => (JsonNode)new JsonObject { ["name"] = o.Name, ["records"] = o.Records, ["firstHeight"] = o.FirstHeight })]),
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

    /// <summary>Asks every node devnet/up started for its status at once; a node that does not answer says why.</summary>
    private static async Task<List<DevnetNodeStatus>> NodeStatusesAsync(string directory)
    {
        var rows = DevnetNodeStatus.ReadEndpoints(directory).Select(async e =>
        {
            using var client = new NodeClient(e.Url);
            try { return new DevnetNodeStatus(e.Name, e.Role, e.Url.ToString(), await client.StatusAsync(), null); }
            catch (WalletException x) { return new DevnetNodeStatus(e.Name, e.Role, e.Url.ToString(), null, x.Message); }
        });
        return [.. await Task.WhenAll(rows)];
    }

    /// <summary>
    /// A settled interval's line: money in the market's currency with its decimals (as GetNodeStatus publishes them, not
    /// the ledger's integer units), energy in Wh.
    /// </summary>
    public static string Settled(IntervalSettlement s, Currency currency)
        => $"settled: paid {currency.WithCode(s.ContractPayments)}, grid fees {currency.WithCode(s.GridFees)}, readings {s.Readings}, "
            + $"POLR supplied {s.PolrSuppliedWh} Wh / absorbed {s.PolrAbsorbedWh} Wh";

    /// <summary>
    /// Delivery over the latest <paramref name="count"/> settled intervals that had contracts, looking back at most
    /// 4 × count intervals from <paramref name="current"/>; the metered side comes from each participant's statement.
    /// </summary>
    private static async Task<DevnetDelivery> MeasureDeliveryAsync(NodeClient node, DevnetManifest manifest, List<ContractState> contracts, ulong current, int count)
    {
        ulong length = (ulong)manifest.IntervalSeconds;
        var polr = new Dictionary<ulong, ulong>();
        for (ulong k = 0; k < 4 * (ulong)count && polr.Count < count && k * length <= current; k++)
        {
            ulong start = current - k * length;
            try
            {
                var s = await node.SettlementAsync(start);
                if (s.Contracts > 0) polr[start] = s.PolrSuppliedWh + s.PolrAbsorbedWh;
            }
            catch (WalletException e) when (e.Reason == P2PEnergy.Contracts.Api.ApiReasons.NotSettled.Code || e.Reason == P2PEnergy.Contracts.Api.ApiReasons.Settling.Code) { }
        }
        var imbalance = new Dictionary<(string, ulong), long>();
        if (polr.Count > 0)
        {
            foreach (var p in manifest.Participants)
            {
                var statement = await node.StatementAsync(P2PEnergy.Contracts.Crypto.Address.Parse(p.Address), polr.Keys.Min(), polr.Keys.Max() + length);
                foreach (var line in statement.Lines.Where(l => l.Kind == "Interval"))
                    imbalance[(p.Address.ToLowerInvariant(), line.Time)] = line.ImbalanceWh;
            }
        }
        return DevnetDelivery.Measure(polr, length, manifest.Participants, contracts, imbalance);
    }

    private static IEnumerable<string> DeliveryLines(DevnetDelivery d)
    {
        if (d.Intervals.Count == 0) { yield return "delivery: no settled interval with contracts yet"; yield break; }
        yield return $"delivery over {d.Intervals.Count} settled intervals with contracts ({Terms.Format(d.Intervals[0])} … {Terms.Format(d.Intervals[^1])}):";
        foreach (var r in d.Roles.Append(d.Total))
            yield return $"  {r.Name,-8} contracted {r.ContractedWh} Wh, metered {r.MeteredWh} Wh, delivered {r.DeliveredWh} Wh ({DevnetDelivery.Percent(r.DeliveredPermille)} %)";
        yield return $"  POLR supplied + absorbed {d.PolrWh} Wh = {DevnetDelivery.Percent(d.PolrPermille)} % of {d.ContractedWh} Wh contracted";
    }

    private static JsonObject DeliveryJson(DevnetDelivery d) => new()
    {
        ["intervals"] = new JsonArray([.. d.Intervals.Select(i => (JsonNode)Terms.Format(i))]),
        ["roles"] = new JsonArray([.. d.Roles.Append(d.Total).Select(r => (JsonNode)new JsonObject
        {
            ["role"] = r.Name, ["contractedWh"] = r.ContractedWh, ["meteredWh"] = r.MeteredWh, ["deliveredWh"] = r.DeliveredWh, ["deliveredPermille"] = r.DeliveredPermille,
        })]),
        ["contractedWh"] = d.ContractedWh, ["polrWh"] = d.PolrWh, ["deliveredPermille"] = d.DeliveredPermille, ["polrPermille"] = d.PolrPermille,
    };

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
