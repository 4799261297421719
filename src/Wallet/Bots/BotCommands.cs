using System.CommandLine;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Bots;

/// <summary><c>p2pe bot run</c>: a trading bot for one participant's meter (see <see cref="TradingBot"/>).</summary>
internal static class BotCommands
{
    public static Command Create(CliContext context)
    {
        var bot = new Command("bot", "Automated trading for devnets and simulations");
        var signing = new SigningKey("Name of the participant's key in the key ring");
        var meter = new Option<string>("--meter") { Description = "The participant's meter", Required = true };
        var role = new Option<string>("--role") { Description = "pv | consumer | ev | battery", Required = true };
        var capabilities = new Option<string?>("--capabilities") { Description = "The device agent's published capabilities (default $P2PE_HOME/device/<meter>.capabilities.json)" };
        var interval = new Option<ulong>("--interval-seconds") { Description = "The chain's intervalSeconds (default 60)", DefaultValueFactory = _ => 60UL };
        var gate = new Option<ulong>("--gate-closure-seconds") { Description = "The chain's gateClosureSeconds (default 10)", DefaultValueFactory = _ => 10UL };
        var intervals = new Option<int?>("--intervals") { Description = "Stop after trading this many intervals (default: until interrupted)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the price draws", DefaultValueFactory = _ => 1 };
        var run = new Command("run", "Trade every interval within what the meter's device can do: PV sells its forecast, consumers/EVs take the cheapest offers, batteries arbitrage")
            { meter, role, capabilities, interval, gate, intervals, seed };
        signing.AddTo(run);
        run.SetAction((parse, cancel) => context.RunAsync(parse, async _ =>
        {
            BotProfile profile;
            try { profile = BotProfile.For(parse.GetValue(role)!); }
            catch (ArgumentException e) { throw new WalletException(ExitCode.Usage, "USAGE", e.Message); }
            if (parse.GetValue(interval) < 10) throw new WalletException(ExitCode.Usage, "USAGE", "--interval-seconds must be at least 10");
            PrivateKey key = signing.Unlock(context, parse);
            using var node = context.ConnectNode(parse);
            string published = parse.GetValue(capabilities) ?? DeviceCapabilities.PathFor(context.Env.Home, parse.GetValue(meter)!);
            var bot = new TradingBot(node, key, parse.GetValue(meter)!, profile, published, parse.GetValue(interval), parse.GetValue(gate), context.Env.Out, parse.GetValue(seed), context.Env.Clock);
            await bot.RunAsync(parse.GetValue(intervals), cancel);
        }));
        bot.Subcommands.Add(run);
        return bot;
    }
}
