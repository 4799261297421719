using System.CommandLine;
using P2PEnergy.Wallet.Bots;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Devnet;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet;

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
        root.Subcommands.Add(DeviceCommands.Create(context));
        root.Options.Add(CliContext.Json);
        root.Options.Add(CliContext.Node);
        root.Subcommands.Add(KeyCommands.Create(context));
        root.Subcommands.Add(ConfigCommands.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(MisbehaviourCommand.Create(context));
        root.Subcommands.Add(AccountCommands.Create(context));
        root.Subcommands.Add(ContractCommands.Create(context));
        root.Subcommands.Add(OfferCommands.Create(context));
        root.Subcommands.Add(OperatorCommands.Create(context));
        root.Subcommands.Add(DelegationCommands.Create(context));
        root.Subcommands.Add(GridCommands.Create(context));
        root.Subcommands.Add(DevnetCommands.Create(context));
        root.Subcommands.Add(BotCommands.Create(context));
        root.Subcommands.Add(Cli.AnchorCommands.Create(context));

        root.Subcommands.Add(CompletionCommands.Create(context));
        root.Subcommands.Add(CompletionCommands.Complete(context, root));

        var parse = root.Parse(HelpFor(args));
        if (parse.Errors.Count > 0)
            // Parse errors get their own exit code (2) and the same one-line shape as every other failure.
            return context.Fail(parse.GetValue(CliContext.Json), ExitCode.Usage, "USAGE", string.Join("; ", parse.Errors.Select(e => e.Message)));
        return await parse.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false });
    }

    /// <summary><c>p2pe</c> alone and <c>p2pe help [COMMAND…]</c> print the help (of the command), as --help does.</summary>
    private static string[] HelpFor(string[] args) => args switch
    {
        [] => ["--help"],
        ["help", .. var rest] => [.. rest, "--help"],
        _ => args,
    };
}
