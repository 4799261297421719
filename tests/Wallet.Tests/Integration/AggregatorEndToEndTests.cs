using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Tests.Support;

namespace P2PEnergy.Wallet.Tests.Integration;

/// <summary>
/// The real <c>p2pe</c> binary against a real node, as an aggregator and as participants who check before they sign:
/// members delegate, the aggregator signs a contract for both sides with one signature, trades the order book for
/// them, lists them, and either side revokes; <c>contract propose</c> refuses what the node would, with its codes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AggregatorEndToEndTests : IAsyncLifetime
{
    private const string Password = "pw";
    private readonly WalletHarness _home = new();
    private LiveNode _node = null!;
    private WalletProcess _p2pe = null!;

    public async Task InitializeAsync()
    {
        _node = await LiveNode.StartAsync();
        _home.Variables[WalletEnvironment.PasswordVariable] = Password;
        foreach (var (name, key) in new[] { ("operator", _node.Operator), ("utility", _node.Utility), ("alice", PrivateKey.Generate()), ("bob", PrivateKey.Generate()),
                     ("agg", PrivateKey.Generate()), ("stranger", PrivateKey.Generate()) })
            Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile(name + ".hex", Hex.Encode(key.Bytes)), "--name", name).Exit);
        _p2pe = new WalletProcess(_home.Home, Password);
        await _p2pe.OkAsync("config", "set", "node", _node.Url);
        await _p2pe.OkAsync("operator", "admit", "alice", "--role", "Prosumer", "--name", "Alice", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "admit", "bob", "--role", "Consumer", "--name", "Bob", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "admit", "agg", "--role", "Aggregator", "--name", "Agg", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-A", "--owner", "alice", "--grid-node", "SP-1", "--device", "alice", "--import-limit-w", "10000000", "--export-limit-w", "10000000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-B", "--owner", "bob", "--grid-node", "SP-2", "--device", "bob", "--import-limit-w", "10000000", "--export-limit-w", "10000000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "deposit", "bob", "--amount", "5", "--reference", "wire-1", "--key", "operator", "--wait");
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _home.Dispose();
    }

    private string[] ProposeArgs(string path, string start, string sellerMeter = "MTR-A", string buyerMeter = "MTR-B", string buyer = "bob", string kwh = "1")
        => ["contract", "propose", "--seller", "alice", "--buyer", buyer, "--seller-meter", sellerMeter, "--buyer-meter", buyerMeter,
            "--start", start, "--intervals", "2", "--kwh", kwh, "--price-per-kwh", "0.10", "--out", path];

    [Fact]
    public async Task Aggregator_SignsForBothSides_TradesForMembers_ListsThem_AndEitherSideRevokes()
    {
        await _p2pe.OkAsync("delegation", "accept", "--aggregator", "agg", "--key", "alice", "--wait");
        await _p2pe.OkAsync("delegation", "accept", "--aggregator", "agg", "--key", "bob", "--wait");

        // One signature by the aggregator stands for both parties; the same key again is ALREADY_SIGNED.
        var file = Path.Combine(_home.Home, "agg.json");
        await _p2pe.OkAsync(ProposeArgs(file, LiveNode.Iso(LiveNode.IntervalAhead(3))));
        var signed = await _p2pe.OkAsync("contract", "sign", file, "--key", "agg", "--yes");
        Assert.Contains("as seller and buyer", signed);
        Assert.Contains("complete: p2pe contract submit", signed);
        var (again, _, twice) = await _p2pe.RunAsync("contract", "sign", file, "--key", "agg", "--yes");
        Assert.Equal(16, again);
        Assert.StartsWith("p2pe: ALREADY_SIGNED: ", twice.Split('\n')[^1]);
        var submitted = JsonNode.Parse(await _p2pe.OkAsync("contract", "submit", file, "--wait", "--json"))!;
        Assert.Equal("OK", (string)submitted["code"]!);

        // The order book for its members: post for Alice, take for Bob by the short id the table shows; the take prints its contract.
        var posted = JsonNode.Parse(await _p2pe.OkAsync("offer", "post", "--sell", "--for", "alice", "--meter", "MTR-A", "--start", LiveNode.Iso(LiveNode.IntervalAhead(4)),
            "--intervals", "1", "--kwh", "2", "--price-per-kwh", "0.09", "--key", "agg", "--wait", "--json"))!;
        var offerId = (string)posted["id"]!;
        var shortId = offerId[..6] + "…" + offerId[^4..];
        Assert.Contains(shortId, await _p2pe.OkAsync("offer", "list"));
        var take = await _p2pe.OkAsync("offer", "take", shortId, "--for", "bob", "--kwh", "1.5", "--meter", "MTR-B", "--key", "agg", "--wait");
        Assert.Contains("created contract 0x", take);
        Assert.Contains("1.500 kWh", take);
        Assert.Contains("price per kWh (EUR)", take);
        Assert.Contains("0.090000", take);

        // The aggregator's view of its members: meters, open contracts, money in the currency.
        var members = JsonNode.Parse(await _p2pe.OkAsync("delegation", "list", "--key", "agg", "--json"))!["members"]!.AsArray();
        Assert.Equal(2, members.Count);
        var bob = members.Single(m => (string)m!["name"]! == "Bob")!;
        Assert.Equal("MTR-B", (string)bob["meters"]![0]!);
        Assert.Equal(2, bob["openContracts"]!.AsArray().Count);
        Assert.Equal(2 * 1000 + 1500, (long)bob["openWh"]!);
        var table = await _p2pe.OkAsync("delegation", "list", "--key", "agg");
        Assert.Contains("2 member(s) delegated to", table);
        Assert.Contains("MTR-A", table);

        // Bob withdraws his consent: the aggregator can no longer act for him (checked before signing, as the node would).
        await _p2pe.OkAsync("delegation", "revoke", "--aggregator", "agg", "--key", "bob", "--wait");
        var (refused, _, refusal) = await _p2pe.RunAsync("offer", "post", "--buy", "--for", "bob", "--meter", "MTR-B", "--start", LiveNode.Iso(LiveNode.IntervalAhead(4)),
            "--intervals", "1", "--kwh", "1", "--price-per-kwh", "0.09", "--key", "agg");
        Assert.Equal(11, refused);
        Assert.StartsWith("p2pe: NOT_A_PARTY: ", refusal.Split('\n')[^1]);
        // The aggregator stops acting for Alice.
        await _p2pe.OkAsync("delegation", "revoke", "--member", "alice", "--key", "agg", "--wait");
        Assert.Empty(JsonNode.Parse(await _p2pe.OkAsync("delegation", "list", "--key", "agg", "--json"))!["members"]!.AsArray());
    }

    [Fact]
    public async Task Propose_RefusesWhatTheNodeWould_WithItsReasonCodes_AndWritesNothing()
    {
        string aligned = LiveNode.Iso(LiveNode.IntervalAhead(3));
        var cases = new (string Code, string Message, string[] Args)[]
        {
            ("UNKNOWN_METER", "buyer meter 'MTR-X' is not registered", ProposeArgs("x", aligned, buyerMeter: "MTR-X")),
            ("METER_NOT_OWNED", "seller meter 'MTR-B' belongs to", ProposeArgs("x", aligned, sellerMeter: "MTR-B")),
            ("INVALID_ARGUMENT", "--start", ProposeArgs("x", LiveNode.Iso(LiveNode.IntervalAhead(3) + 7))),
            ("GATE_CLOSED", "gate closure for interval", ProposeArgs("x", LiveNode.Iso(LiveNode.IntervalAhead(-1)))),
            ("NOT_ADMITTED", "buyer 0x", ProposeArgs("x", aligned, buyer: "stranger")),
            ("INSUFFICIENT_FUNDS", "free, the contract needs", ProposeArgs("x", aligned, kwh: "100")),
        };
        foreach (var (code, message, args) in cases)
        {
            var path = Path.Combine(_home.Home, code + ".json");
            args[^1] = path;
            var (exit, _, error) = await _p2pe.RunAsync(args);
            Assert.True(exit == 11, $"{code}: exit {exit}: {error}");
            var line = error.Split('\n')[^1];
            Assert.StartsWith($"p2pe: {code}: ", line);
            Assert.Contains(message, line);
            Assert.Contains("checked against the node before signing", line);
            Assert.False(File.Exists(path), code);
        }
        // --offline asks the node nothing: the same unknown meter is written (the node would refuse it at submit).
        var offline = ProposeArgs(Path.Combine(_home.Home, "offline.json"), aligned, buyerMeter: "MTR-X");
        await _p2pe.OkAsync([.. offline, "--offline", "--chain-id", $"{LiveNode.ChainId}"]);
        Assert.True(File.Exists(Path.Combine(_home.Home, "offline.json")));
    }

    [Fact]
    public async Task DeviceRun_IntervalThatIsNotTheChains_IsRefusedAtStart()
    {
        var (exit, _, error) = await _p2pe.RunAsync("device", "run", "--meter", "MTR-A", "--key", "alice", "--driver", "load", "--interval-seconds", "30", "--intervals", "1");
        Assert.Equal(8, exit);
        Assert.Contains($"--interval-seconds 30 is not the chain's interval length: the node at {_node.Url}", error);
        Assert.Contains($"settles {LiveNode.IntervalSeconds} s intervals", error);
    }

    [Fact]
    public async Task OfferList_HidesExpiredOffers_AllShowsThemWithTheirState()
    {
        var posted = JsonNode.Parse(await _p2pe.OkAsync("offer", "post", "--sell", "--meter", "MTR-A", "--start", LiveNode.Iso(LiveNode.IntervalAhead(4)),
            "--intervals", "1", "--kwh", "1", "--price-per-kwh", "0.09", "--valid-for", "4s", "--key", "alice", "--wait", "--json"))!;
        var id = (string)posted["id"]!;
        var until = DateTime.UtcNow.AddSeconds(30);
        while (JsonNode.Parse(await _p2pe.OkAsync("offer", "list", "--json"))!["offers"]!.AsArray().Any(o => (string)o!["id"]! == id))
        {
            Assert.True(DateTime.UtcNow < until, "the offer stayed listed past its validUntil");
            await Task.Delay(1000);
        }
        var all = JsonNode.Parse(await _p2pe.OkAsync("offer", "list", "--all", "--json"))!["offers"]!.AsArray();
        Assert.Equal("expired", (string)all.Single(o => (string)o!["id"]! == id)!["state"]!);
        Assert.Contains("0 open offer(s)", await _p2pe.OkAsync("offer", "list"));
    }
}
