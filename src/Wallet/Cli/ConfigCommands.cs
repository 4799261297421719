using System.CommandLine;
using System.Text.Json.Nodes;
using P2PEnergy.Wallet.Node;

namespace P2PEnergy.Wallet.Cli;

/// <summary><c>p2pe config set | show</c>: the wallet's profile in $P2PE_HOME/config.json (which node to call).</summary>
internal static class ConfigCommands
{
    public static Command Create(CliContext context)
    {
        var config = new Command("config", "Show or change the wallet profile ($P2PE_HOME/config.json)");
        config.Subcommands.Add(Set(context));
        config.Subcommands.Add(Show(context));
        return config;
    }

    private static Command Set(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "Setting: node" };
        var value = new Argument<string>("VALUE") { Description = "Its value, e.g. http://127.0.0.1:5080" };
        var command = new Command("set", "Change one setting") { name, value };
        command.SetAction(parse => context.Run(parse, json =>
        {
            var profile = new NodeProfile(context.Env.Home);
            profile.Set(parse.GetValue(name)!, parse.GetValue(value)!);
            var settings = profile.Read();
            context.Print(json, settings, $"{parse.GetValue(name)} = {settings[parse.GetValue(name)!]} ({profile.File})");
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var command = new Command("show", "Show the profile and the node the commands would call");
        command.SetAction(parse => context.Run(parse, json =>
        {
            var profile = new NodeProfile(context.Env.Home);
            var settings = profile.Read();
            var option = parse.GetValue(CliContext.Node);
            var node = option ?? (string?)settings["node"];
            var result = new JsonObject { ["file"] = profile.File, ["settings"] = settings.DeepClone(), ["node"] = node, ["nodeFrom"] = option is null ? "config" : "--node" };
            context.Print(json, result, $"profile {profile.File}\nnode    {node ?? "(not set: `p2pe config set node URL`)"}{(option is null ? "" : " (from --node)")}");
        }));
        return command;
    }
}
