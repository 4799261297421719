using System.Globalization;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Wallet.Bots;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Tests.Support;

namespace P2PEnergy.Wallet.Tests.Bots;

/// <summary>
/// Issue 12 item 8: the trading bot reads the injected clock — which interval it trades, its PV forecast and its log
/// all follow the clock it is given, not the machine's, so a simulation can run it at any instant.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TradingBotTests : IAsyncLifetime
{
    private const string Password = "pw";
    private readonly WalletHarness _home = new();
    private readonly PrivateKey _alice = PrivateKey.Generate();
    private LiveNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await LiveNode.StartAsync();
        _home.Variables[WalletEnvironment.PasswordVariable] = Password;
        foreach (var (name, key) in new[] { ("operator", _node.Operator), ("utility", _node.Utility), ("alice", _alice) })
            Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile(name + ".hex", Hex.Encode(key.Bytes)), "--name", name).Exit);
        Ok("config", "set", "node", _node.Url);
        Ok("operator", "admit", "alice", "--role", "Prosumer", "--name", "Alice", "--key", "operator", "--wait");
        Ok("operator", "register-meter", "MTR-A", "--owner", "alice", "--grid-node", "SP-1", "--device", "alice", "--import-limit-w", "10000000", "--export-limit-w", "10000000", "--key", "utility", "--wait");
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _home.Dispose();
    }

    private void Ok(params string[] args)
    {
        var (exit, _, error) = _home.Run(args);
        Assert.True(exit == 0, $"p2pe {string.Join(' ', args)} exited {exit}: {error}");
    }

    [Fact(Timeout = 120_000)]
    public async Task Bot_TradesTheIntervalAfterTheInjectedClock_AndLogsItsTime()
    {
        // Two hours ahead of the machine, 7 s into a minute; the PV's local noon is then (so its forecast is not zero).
        var real = DateTimeOffset.UtcNow;
        var fake = DateTimeOffset.FromUnixTimeSeconds((real.ToUnixTimeSeconds() / 60 + 120) * 60 + 7);
        var clock = new ManualClock(fake);
        var noon = TimeSpan.FromMinutes(Math.Round((TimeSpan.FromHours(12) - fake.TimeOfDay).TotalMinutes));
        var log = new StringWriter();
        using var node = new NodeClient(new Uri(_node.Url));
        // The PV's device agent publishes its forecast from the interval running at the fake instant.
        var published = DeviceCapabilities.PathFor(_home.Home, "MTR-A");
        ulong running = (ulong)fake.ToUnixTimeSeconds() / _node.Interval * _node.Interval;
        DeviceCapabilities.Forecast("MTR-A", new PvDriver(8000, 0, noon, new Random(0)), running, _node.Interval, noon, (ulong)fake.ToUnixTimeSeconds()).Publish(published);
        var bot = new TradingBot(node, _alice, "MTR-A", BotProfile.For("pv"), published, _node.Interval, _node.GateClosure, log, seed: 1, clock);

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await bot.RunAsync(intervals: 1, limit.Token);

        ulong expected = (ulong)fake.ToUnixTimeSeconds() / 60 * 60 + 60; // the next interval: its gate (−10 s) is 53 s away
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.StartsWith(fake.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), line));
        Assert.Contains(lines, line => line.Contains($"interval {Terms.Format(expected)}: sell offer") && line.TrimEnd().EndsWith(": OK"));
        var offer = Assert.Single(await node.OffersAsync(includeClosed: false));
        Assert.Equal(expected, offer.Terms.IntervalStart);
        // It offers exactly the forecast its device published for that interval.
        Assert.Equal(DeviceCapabilities.Read(published)!.For(expected)!.Value.MaxExportWh, offer.Terms.WhPerInterval);
    }
    [Fact(Timeout = 120_000)]
    public async Task Bot_WithoutPublishedCapabilities_SitsTheIntervalOut()
    {
        var fake = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 + 120) * 60 + 7);
        var log = new StringWriter();
        using var node = new NodeClient(new Uri(_node.Url));
        var missing = DeviceCapabilities.PathFor(_home.Home, "MTR-A");
        var bot = new TradingBot(node, _alice, "MTR-A", BotProfile.For("pv"), missing, _node.Interval, _node.GateClosure, log, seed: 1, new ManualClock(fake));

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await bot.RunAsync(intervals: 1, limit.Token);

        Assert.Contains($"no device capabilities published for it in {missing}; not trading", log.ToString());
        Assert.Empty(await node.OffersAsync(includeClosed: true));
    }
}
