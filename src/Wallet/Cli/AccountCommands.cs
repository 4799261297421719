using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Node;
using Spectre.Console;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Wallet.Cli;

/// <summary><c>p2pe account show | balance | statement</c>: an account's state and its settlement statement, read from the node.</summary>
internal static class AccountCommands
{
    public static Command Create(CliContext context)
    {
        var account = new Command("account", "Read an account: role, balance, escrow, debt and its settlement statement");
        account.Subcommands.Add(Show(context, "show", "Show the account's role, admission and funds"));
        account.Subcommands.Add(Show(context, "balance", "Show the account's balance, escrow and debt"));
        account.Subcommands.Add(Statement(context));
        return account;
    }

    private static (Argument<string?> Address, Option<string> Key) Who()
        => (new Argument<string?>("ADDRESS") { Description = "The account's 0x address", Arity = ArgumentArity.ZeroOrOne },
            new Option<string>("--key") { Description = "Name of a key whose account to show" });

    private static Address Resolve(CliContext context, ParseResult parse, Argument<string?> address, Option<string> key)
    {
        var text = parse.GetValue(address);
        var name = parse.GetValue(key);
        if ((text is null) == (name is null))
            throw new WalletException(ExitCode.Usage, "USAGE", "give exactly one of ADDRESS or --key NAME");
        if (name is not null) return SigningKey.AddressOf(context, name);
        return Address.TryParse(text, out var parsed, out var error)
            ? parsed
            : throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"ADDRESS '{text}': {error}");
    }

    private static Command Show(CliContext context, string name, string description)
    {
        var (address, key) = Who();
        var command = new Command(name, description) { address, key };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            using var node = NodeClient.Connect(context, parse);
            var state = await node.AccountAsync(Resolve(context, parse, address, key));
            var result = Describe(state);
            if (json) { context.Print(true, result, ""); return; }
            var table = new Table().AddColumn("field").AddColumn("value");
            foreach (var (field, value) in result) table.AddRow(Markup.Escape(field), Markup.Escape(value?.ToString() ?? ""));
            Render(context, table);
        }));
        return command;
    }

    private static Command Statement(CliContext context)
    {
        var (address, key) = Who();
        var from = new Option<string>("--from") { Description = "First time (ISO 8601, UTC or local), inclusive", Required = true };
        var to = new Option<string>("--to") { Description = "End time (ISO 8601), exclusive" };
        var csv = new Option<FileInfo>("--csv") { Description = "Also write the lines to this CSV file" };
        var command = new Command("statement", "Settlement statement lines (Settlement/GetStatement) between --from and --to") { address, key, from, to, csv };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var who = Resolve(context, parse, address, key);
            ulong start = Terms.Time(parse.GetValue(from)!, "--from");
            ulong end = parse.GetValue(to) is { } toText ? Terms.Time(toText, "--to") : 0;
            using var node = NodeClient.Connect(context, parse);
            var statement = await node.StatementAsync(who, start, end);
            var lines = statement.Lines.Select(Line).ToList();
            if (parse.GetValue(csv) is { } file) AtomicFile.Write(file.FullName, Csv(lines), overwrite: true);
            if (json)
            {
                context.Print(true, new JsonObject { ["account"] = Describe(statement.Account ?? new AccountState()), ["lines"] = new JsonArray([.. lines]) }, "");
                return;
            }
            var table = new Table().AddColumns("time", "kind", "height", "received", "paid", "fees", "imbalance Wh", "balance", "escrow", "debt");
            foreach (var l in statement.Lines)
                table.AddRow(Terms.Format(l.Time), l.Kind, l.Height.ToString(CultureInfo.InvariantCulture), Terms.Money(l.ContractReceived), Terms.Money(l.ContractPaid),
                    Terms.Money(l.DmoFeePaid + l.GridFeePaid + l.StandbyFee + l.SubscriptionFee), l.ImbalanceWh.ToString(CultureInfo.InvariantCulture),
                    Terms.Money(l.BalanceAfter), Terms.Money(l.EscrowAfter), Terms.Money(l.DebtAfter));
            if (statement.Account is { } account)
                context.Env.Out.WriteLine($"account {who}: balance {Terms.Money(account.Balance)}, escrow {Terms.Money(account.Escrow)}, debt {Terms.Money(account.Debt)}");
            context.Env.Out.WriteLine($"{statement.Lines.Count} statement line(s) from {Terms.Format(start)}{(end == 0 ? "" : " to " + Terms.Format(end))}");
            if (statement.Lines.Count > 0) Render(context, table);
        }));
        return command;
    }

    /// <summary>An account as JSON: amounts in micro-units (integers), the address EIP-55.</summary>
    public static JsonObject Describe(AccountState state) => new()
    {
        ["address"] = state.Address.Length == 20 ? Address.FromBytes(state.Address.Span).ToString() : "",
        ["name"] = state.Name,
        ["role"] = state.Role,
        ["admitted"] = state.Admitted,
        ["suspended"] = state.Suspended,
        ["suspensionReason"] = state.SuspensionReason,
        ["balance"] = state.Balance,
        ["escrow"] = state.Escrow,
        ["debt"] = state.Debt,
        ["polrReceivable"] = state.PolrReceivable,
        ["polrPayable"] = state.PolrPayable,
        ["aggregators"] = new JsonArray([.. state.Aggregators.Select(a => (JsonNode)Address.FromBytes(a.Span).ToString())]),
    };

    private static JsonObject Line(StatementLine line)
    {
        var json = new JsonObject { ["time"] = Terms.Format(line.Time) };
        foreach (var field in StatementLine.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.Name is "account" or "time") continue;
            var value = field.Accessor.GetValue(line);
            json[field.JsonName] = value switch { string s => s, ulong u => u, long l => l, _ => value.ToString() };
        }
        return json;
    }

    private static string Csv(List<JsonObject> lines)
    {
        var header = new[] { "time" }.Concat(StatementLine.Descriptor.Fields.InFieldNumberOrder().Where(f => f.Name is not "account" and not "time").Select(f => f.JsonName)).ToList();
        var text = new StringBuilder(string.Join(',', header)).Append('\n');
        foreach (var line in lines) text.Append(string.Join(',', header.Select(h => line[h]?.ToString() ?? ""))).Append('\n');
        return text.ToString();
    }

    /// <summary>Renders a Spectre table to the command's output writer (not the process console), for people.</summary>
    public static void Render(CliContext context, Spectre.Console.Rendering.IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Env.Out), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        console.Write(renderable);
    }
}
