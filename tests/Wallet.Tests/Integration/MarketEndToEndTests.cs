using P2PEnergy.Node.Tests.Support;
using System.Diagnostics;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Tests.Support;
using Xunit.Abstractions;

namespace P2PEnergy.Wallet.Tests.Integration;

/// <summary>
/// Issue #6's end-to-end story, through the real <c>p2pe</c> binary against a real <c>p2pe-node</c> process: the
/// operator admits two participants and the utility registers their meters; they propose, sign and submit a
/// contract; both device agents (<c>p2pe device run</c> processes) receive the dispatch, run and report readings;
/// the statements then show the contract payment, the fees and the seller's imbalance charge to the micro-unit.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MarketEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "pw";
    // 10 s intervals so one contract is dispatched, metered and settled within the test's bound.
    private const ulong Interval = 10, GateClosure = 3, ReadingWindow = 10;
    private readonly WalletHarness _home = new();
    private readonly PrivateKey _alice = PrivateKey.Generate(), _bob = PrivateKey.Generate();
    private readonly PrivateKey _aliceDevice = PrivateKey.Generate(), _bobDevice = PrivateKey.Generate();
    private LiveNode _node = null!;
    private WalletProcess _p2pe = null!;

    public async Task InitializeAsync()
    {
        _node = await LiveNode.StartAsync(Interval, GateClosure, ReadingWindow);
        _home.Variables[WalletEnvironment.PasswordVariable] = Password;
        foreach (var (name, key) in new[] { ("operator", _node.Operator), ("utility", _node.Utility), ("alice", _alice), ("bob", _bob), ("alice-device", _aliceDevice), ("bob-device", _bobDevice) })
            Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile(name + ".hex", Hex.Encode(key.Bytes)), "--name", name).Exit);
        _p2pe = new WalletProcess(_home.Home, Password);
        await _p2pe.OkAsync("config", "set", "node", _node.Url);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task AdmitRegisterContractDispatchReadAndSettle_StatementsShowPaymentFeesAndImbalance()
    {
        var clock = Stopwatch.StartNew();
        await _p2pe.OkAsync("operator", "admit", "alice", "--role", "Prosumer", "--name", "Alice", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "admit", "bob", "--role", "Consumer", "--name", "Bob", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-A", "--owner", "alice", "--grid-node", "SP-1", "--device", "alice-device", "--import-limit-w", "20000", "--export-limit-w", "20000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-B", "--owner", "bob", "--grid-node", "SP-2", "--device", "bob-device", "--import-limit-w", "20000", "--export-limit-w", "20000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "deposit", "bob", "--amount", "5", "--reference", "wire-1", "--key", "operator", "--wait");

        // An interval whose gate (start − 3 s) leaves time to propose, sign twice and commit through the binary: four
        // process starts, which took more than 12 s on a 2-core box at load average 38 (GATE_CLOSED), hence 30 s.
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ulong interval = (now + GateClosure + 30 + Interval - 1) / Interval * Interval;
        var file = Path.Combine(_home.Home, "contract.json");
        // 20 Wh in a 10 s interval is 7.2 kW, inside both meters' 20 kW limits.
        await _p2pe.OkAsync("contract", "propose", "--seller", "alice", "--buyer", "bob", "--seller-meter", "MTR-A", "--buyer-meter", "MTR-B",
            "--start", LiveNode.Iso(interval), "--intervals", "1", "--kwh", "0.02", "--price-per-kwh", "0.10", "--out", file);
        await _p2pe.OkAsync("contract", "sign", file, "--key", "alice", "--yes");
        await _p2pe.OkAsync("contract", "sign", file, "--key", "bob", "--yes");
        var submitted = JsonNode.Parse(await _p2pe.OkAsync("contract", "submit", file, "--wait", "--json"))!;
        Assert.Equal("OK", (string)submitted["code"]!);
        output.WriteLine($"contract for {LiveNode.Iso(interval)} committed at {clock.ElapsedMilliseconds} ms");

        // The agents start right before the contract's interval, as if they had handled the one before.
        new DeviceCursor(_home.Home, "MTR-A").Save(interval - Interval);
        new DeviceCursor(_home.Home, "MTR-B").Save(interval - Interval);
        // No --node and no --interval-seconds: the agents take the node from the wallet's config and the interval length from it.
        string[] common = ["--intervals", "1", "--json"];
        // The seller's battery delivers 20% less than contracted on purpose; the buyer's load follows its dispatch.
        var seller = _p2pe.RunAsync(["device", "run", "--meter", "MTR-A", "--key", "alice-device", "--driver", "battery", "--deviation", "-20", "--max-discharge-w", "20000", "--soc", "100", .. common]);
        var buyer = _p2pe.RunAsync(["device", "run", "--meter", "MTR-B", "--key", "bob-device", "--driver", "load", "--base-w", "7200", "--flex-w", "1000", .. common]);
        var agents = await Task.WhenAll(seller, buyer).WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var (exit, stdout, stderr) in agents) Assert.True(exit == 0, $"device run exited {exit}: {stderr}\n{stdout}");
        var sold = JsonNode.Parse(agents[0].Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!;
        var bought = JsonNode.Parse(agents[1].Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!;
        Assert.Equal((interval, 20L, 16L, "OK"), ((ulong)sold["interval"]!, (long)sold["targetNetExportWh"]!, (long)sold["netExportWh"]!, (string)sold["code"]!));
        Assert.Equal((interval, -20L, -20L, "OK"), ((ulong)bought["interval"]!, (long)bought["targetNetExportWh"]!, (long)bought["netExportWh"]!, (string)bought["code"]!));
        output.WriteLine($"readings committed at {clock.ElapsedMilliseconds} ms");

        var aliceLine = await SettledLineAsync("alice", interval);
        var bobLine = await SettledLineAsync("bob", interval);
        output.WriteLine($"settled at {clock.ElapsedMilliseconds} ms: {aliceLine}\n{bobLine}");
        // Payment ⌊20 Wh × 100,000 / 1000⌋ = 2,000; DMO fee 1,000 + ⌊20 × 2,000 / 1000⌋ = 1,040, split 520 / 520;
        // grid fee (no model: across-substations rate) ⌊20 × 10,000 / 1000⌋ = 200, paid by the buyer.
        Assert.Equal(2_000UL, (ulong)aliceLine["contractReceivedMicros"]!);
        Assert.Equal(520UL, (ulong)aliceLine["dmoFeePaidMicros"]!);
        Assert.Equal(2_000UL, (ulong)bobLine["contractPaidMicros"]!);
        Assert.Equal(520UL, (ulong)bobLine["dmoFeePaidMicros"]!);
        Assert.Equal(200UL, (ulong)bobLine["gridFeePaidMicros"]!);
        // Alice delivered 16 of 20 Wh: 4 Wh bought from the POLR at 300,000 per kWh = 1,200; Bob is balanced.
        Assert.Equal(-4L, (long)aliceLine["imbalanceWh"]!);
        Assert.Equal(1_200UL, (ulong)aliceLine["imbalanceChargeMicros"]!);
        Assert.Equal(0L, (long)bobLine["imbalanceWh"]!);
        var alice = JsonNode.Parse(await _p2pe.OkAsync("account", "balance", "--key", "alice", "--json"))!;
        // Alice started with nothing: 2,000 received − 520 DMO fee − 1,200 imbalance = 280 left.
        Assert.Equal(280UL, (ulong)alice["balanceMicros"]!);
        // Her day, drawn: 0.020 kWh contracted, 0.016 metered (80 %), the POLR's 0.001200 EUR charge; and the same as CSV.
        var csv = Path.Combine(_home.Home, "day.csv");
        var plot = await _p2pe.OkAsync("account", "statement", "--key", "alice", "--from", LiveNode.Iso(interval), "--plot", "--csv", csv);
        Assert.Contains("contracted      0.020", plot);
        Assert.Contains("metered         0.016", plot);
        Assert.Contains("80 %", plot);
        Assert.Contains("0.001200", plot);
        Assert.Contains($"{LiveNode.Iso(interval)},20,16,-4,2000,-520,-1200", File.ReadAllText(csv));
        // Filtered by the contract, named by its short id: its one line, the 20 Wh Alice sold to Bob's meter.
        var contractId = (string)submitted["id"]!;
        var only = JsonNode.Parse(await _p2pe.OkAsync("account", "statement", "--key", "alice", "--from", LiveNode.Iso(interval),
            "--contract", contractId[..6] + "…" + contractId[^4..], "--json"))!;
        Assert.Null(only["lines"]);
        var line = Assert.Single(only["contractLines"]!.AsArray())!;
        Assert.Equal((contractId, "sell", 20UL, "MTR-B", 2_000UL), ((string)line["contractId"]!, (string)line["side"]!, (ulong)line["wh"]!, (string)line["counterpartyMeter"]!, (ulong)line["contractReceivedMicros"]!));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
    }

    private async Task<JsonNode> SettledLineAsync(string key, ulong interval)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var statement = JsonNode.Parse(await _p2pe.OkAsync("account", "statement", "--key", key, "--from", LiveNode.Iso(interval), "--json"))!;
            if (statement["lines"]!.AsArray().FirstOrDefault(l => (string)l!["kind"]! == "Interval") is { } line) return line;
            if (DateTime.UtcNow > until) throw new TimeoutException($"interval {LiveNode.Iso(interval)} did not settle for {key}: {statement.ToJsonString()}");
            await Task.Delay(1000);
        }
    }
}
