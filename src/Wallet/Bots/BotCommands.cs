using System.CommandLine;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Cli;
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
        var power = new Option<double?>("--power-w") { Description = "PV capacity, consumer/EV draw or battery power, W (default by role)" };
        var interval = new Option<ulong>("--interval-seconds") { Description = "The chain's intervalSeconds (default 60)", DefaultValueFactory = _ => 60UL };
        var gate = new Option<ulong>("--gate-closure-seconds") { Description = "The chain's gateClosureSeconds (default 10)", DefaultValueFactory = _ => 10UL };
        var utcOffset = new Option<double>("--utc-offset") { Description = "Local solar time minus UTC, hours (PV forecast)", DefaultValueFactory = _ => 0 };
        var intervals = new Option<int?>("--intervals") { Description = "Stop after trading this many intervals (default: until interrupted)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the price draws", DefaultValueFactory = _ => 1 };
        var run = new Command("run", "Trade every interval: PV sells its forecast surplus, consumers/EVs take the cheapest offers, batteries arbitrage")
            { meter, role, power, interval, gate, utcOffset, intervals, seed };
        signing.AddTo(run);
        run.SetAction((parse, cancel) => context.RunAsync(parse, async _ =>
        {
            BotProfile profile;
            try { profile = BotProfile.For(parse.GetValue(role)!, parse.GetValue(power), TimeSpan.FromHours(parse.GetValue(utcOffset))); }
            catch (ArgumentException e) { throw new WalletException(ExitCode.Usage, "USAGE", e.Message); }
            if (parse.GetValue(interval) < 10) throw new WalletException(ExitCode.Usage, "USAGE", "--interval-seconds must be at least 10");
            PrivateKey key = signing.Unlock(context, parse);
            using var node = context.ConnectNode(parse);
            var bot = new TradingBot(node, key, parse.GetValue(meter)!, profile, parse.GetValue(interval), parse.GetValue(gate), context.Env.Out, parse.GetValue(seed), context.Env.Clock);
            await bot.RunAsync(parse.GetValue(intervals), cancel);
        }));
        bot.Subcommands.Add(run);
        return bot;
    }
}
