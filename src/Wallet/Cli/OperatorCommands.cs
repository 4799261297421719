using P2PEnergy.Wallet.Failures;
using System.CommandLine;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe operator admit | suspend | register-meter | deposit | withdraw</c>, the schedule commands of
/// <see cref="ScheduleCommands"/> and <see cref="ValidatorCommands"/>: authority transactions, each signed with the --key of
/// the account the ledger requires (market operator, utility, planner or validator authority); delegations are
/// <see cref="DelegationCommands"/>.
/// </summary>
internal static class OperatorCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("operator", "Authority transactions: admit, suspend, meters, funds, fees, baseline, grid model, validators");
        command.Subcommands.Add(Admit(context));
        command.Subcommands.Add(Suspend(context));
        command.Subcommands.Add(RegisterMeter(context));
        command.Subcommands.Add(Funds(context, "deposit", "Market operator: credit funds that entered the market to an account"));
        command.Subcommands.Add(Funds(context, "withdraw", "Market operator: debit funds that leave the market from an account"));
        foreach (var schedule in ScheduleCommands.Create(context)) command.Subcommands.Add(schedule);
        command.Subcommands.Add(ValidatorCommands.Create(context));
        return command;
    }

    /// <summary>
    /// The validator authority replaces the whole validator set, in force two blocks after it commits: how a validator
    /// key is rotated (add the new key, move the node to it, drop the old one; docs/operator.md "Keys").
    /// </summary>
    /// <summary>Builds a command that signs one body with --key and submits it (--wait to follow it).</summary>
    public static Command Signed(CliContext context, string name, string description, string keyRole, IEnumerable<Symbol> symbols, Func<ParseResult, IMessage> body,
        Func<ParseResult, ByteString?>? attachment = null)
        => Signed(context, name, description, keyRole, symbols, body, (_, _, _) => throw new InvalidOperationException("unreachable"), attachment, null);

    /// <summary>
    /// The same, for bodies that need the node first: the market's currency for amounts, or a check of what the
    /// ledger holds (an aggregator's delegations) before anything is signed.
    /// </summary>
    public static Command Signed(CliContext context, string name, string description, string keyRole, IEnumerable<Symbol> symbols,
        Func<ParseResult, NodeClient, Market, Task<IMessage>> body, Func<ParseResult, ByteString?>? attachment = null,
        Func<CliContext, NodeClient, IMessage, Submitted, bool, Task>? after = null)
        => Signed(context, name, description, keyRole, symbols, null, body, attachment, after);

    // A body that needs nothing from the node (localBody) is built, and its input checked, before the node is asked:
    // a malformed value is refused without a connection (and with a dead node still names the value).
    private static Command Signed(CliContext context, string name, string description, string keyRole, IEnumerable<Symbol> symbols,
        Func<ParseResult, IMessage>? localBody, Func<ParseResult, NodeClient, Market, Task<IMessage>> body, Func<ParseResult, ByteString?>? attachment,
        Func<CliContext, NodeClient, IMessage, Submitted, bool, Task>? after)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument) command.Arguments.Add(argument);
            else command.Options.Add((Option)symbol);
        }
        var key = new SigningKey($"Name of the {keyRole} key that signs");
        key.AddTo(command);
        var waiting = Submission.AddTo(command);
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var local = localBody?.Invoke(parse);
            using var node = context.ConnectNode(parse);
            var message = local ?? await body(parse, node, await node.MarketAsync());
            var extra = attachment?.Invoke(parse);
            var submitted = await Submission.SignAndSubmitAsync(context, parse, node, key, message, waiting, json, extra, print: after is null);
            if (after is not null) await after(context, node, message, submitted, json);
        }));
        return command;
    }

    public static ByteString Address(CliContext context, ParseResult parse, Symbol symbol, string label)
    {
        var text = symbol is Argument<string> a ? parse.GetValue(a) : parse.GetValue((Option<string>)symbol);
        return NodeClient.Bytes(Terms.Party(context, text!, label));
    }

    private static Argument<string> AccountArgument() => new("ACCOUNT") { Description = "The account: 0x address or key name" };

    private static Command Admit(CliContext context)
    {
        var account = AccountArgument();
        var role = new Option<string>("--role") { Description = string.Join(" | ", Roles.ParticipantRoles), Required = true };
        role.AcceptOnlyFromAmong([.. Roles.ParticipantRoles]);
        var name = new Option<string>("--name") { Description = "The participant's display name", DefaultValueFactory = _ => "" };
        return Signed(context, "admit", "Market operator: admit a participant", "market operator's", [account, role, name], parse => new Admit
        {
            Account = Address(context, parse, account, "ACCOUNT"), Role = parse.GetValue(role)!, Name = parse.GetValue(name)!, Nonce = Terms.Nonce(),
        });
    }

    private static Command Suspend(CliContext context)
    {
        var account = AccountArgument();
        var reason = new Option<string>("--reason") { Description = "Why (shown on the account)", DefaultValueFactory = _ => "" };
        var reinstate = new Option<bool>("--reinstate") { Description = "Lift a suspension instead" };
        return Signed(context, "suspend", "Market operator: suspend (or --reinstate) a participant", "market operator's", [account, reason, reinstate], parse => new Suspend
        {
            Account = Address(context, parse, account, "ACCOUNT"), Suspended = !parse.GetValue(reinstate), Reason = parse.GetValue(reason)!, Nonce = Terms.Nonce(),
        });
    }

    private static Command RegisterMeter(CliContext context)
    {
        var meter = new Argument<string>("METER") { Description = "The meter id" };
        var owner = new Option<string>("--owner") { Description = "Owner: 0x address or key name", Required = true };
        var gridNode = new Option<string>("--grid-node") { Description = "Service point in the grid model", Required = true };
        var device = new Option<string>("--device") { Description = "Address (or key name) of the device key that signs readings", Required = true };
        var importLimit = new Option<ulong>("--import-limit-w") { Description = "Import limit, W" };
        var exportLimit = new Option<ulong>("--export-limit-w") { Description = "Export limit, W" };
        var powerFactor = new Option<uint>("--power-factor-milli") { Description = "Power factor 1..1000 (0 = unity)" };
        return Signed(context, "register-meter", "Utility: register a meter to an admitted participant", "utility's",
            [meter, owner, gridNode, device, importLimit, exportLimit, powerFactor], parse => new RegisterMeter
            {
                Meter = parse.GetValue(meter)!, Owner = Address(context, parse, owner, "--owner"), GridNode = parse.GetValue(gridNode)!,
                Device = Address(context, parse, device, "--device"), ImportLimitW = parse.GetValue(importLimit), ExportLimitW = parse.GetValue(exportLimit),
                PowerFactorMilli = parse.GetValue(powerFactor), Nonce = Terms.Nonce(),
            });
    }

    private static Command Funds(CliContext context, string name, string description)
    {
        var account = AccountArgument();
        var amount = new Option<string>("--amount") { Description = "Amount in the market's currency, e.g. 25.50", Required = true };
        var reference = new Option<string>("--reference") { Description = "Payment reference", DefaultValueFactory = _ => "" };
        return Signed(context, name, description, "market operator's", [account, amount, reference], (parse, _, market) =>
        {
            var to = Address(context, parse, account, "ACCOUNT");
            var micros = Terms.Money(parse.GetValue(amount)!, "--amount", market.Currency);
            return Task.FromResult<IMessage>(name == "deposit"
                ? new Deposit { Account = to, Amount = micros, Reference = parse.GetValue(reference)!, Nonce = Terms.Nonce() }
                : new Withdraw { Account = to, Amount = micros, Reference = parse.GetValue(reference)!, Nonce = Terms.Nonce() });
        });
    }
}
