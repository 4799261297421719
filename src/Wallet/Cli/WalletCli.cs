using System.CommandLine;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// The <c>p2pe</c> command line: a System.CommandLine root with one command group per file
/// (<see cref="KeyCommands"/>; account, contract, offer, operator and device groups join the same way).
/// </summary>
public static class WalletCli
{
    /// <summary>Runs against the real process environment and console.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, WalletEnvironment.FromProcess());

    /// <summary>Runs in-process against an injected environment (tests use a temp P2PE_HOME and string writers).</summary>
    public static async Task<int> RunAsync(string[] args, WalletEnvironment env)
    {
        var context = new CliContext(env);
        var root = new RootCommand("p2pe — wallet for the P2PEnergy peer-to-peer energy ledger");
        root.Subcommands.Add(Device.DeviceCommands.Create(context));
        root.Options.Add(CliContext.Json);
        root.Options.Add(CliContext.Node);
        root.Subcommands.Add(KeyCommands.Create(context));
        root.Subcommands.Add(ConfigCommands.Create(context));
        root.Subcommands.Add(AccountCommands.Create(context));
        root.Subcommands.Add(ContractCommands.Create(context));
        root.Subcommands.Add(OfferCommands.Create(context));
        root.Subcommands.Add(OperatorCommands.Create(context));
        root.Subcommands.Add(GridCommands.Create(context));
        root.Subcommands.Add(Devnet.DevnetCommands.Create(context));
        root.Subcommands.Add(Bots.BotCommands.Create(context));
        root.Subcommands.Add(AnchorCommands.Create(context));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
            // Parse errors get their own exit code (2) and the same one-line shape as every other failure.
            return context.Fail(parse.GetValue(CliContext.Json), ExitCode.Usage, "USAGE", string.Join("; ", parse.Errors.Select(e => e.Message)));
        return await parse.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false });
    }
}
