using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Node;
using Spectre.Console;
using P2PEnergy.Wallet.Failures;

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

    /// <summary>ADDRESS or --key NAME: the account a command reads.</summary>
    public static (Argument<string?> Address, Option<string> Key) Who()
        => (new Argument<string?>("ADDRESS") { Description = "The account's 0x address", Arity = ArgumentArity.ZeroOrOne },
            new Option<string>("--key") { Description = "Name of a key whose account to show" });

    public static Address Resolve(CliContext context, ParseResult parse, Argument<string?> address, Option<string> key)
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
            using var node = context.ConnectNode(parse);
            var state = await node.AccountAsync(Resolve(context, parse, address, key));
            if (json) { context.Print(true, LedgerViews.Account(state), ""); return; }
            LedgerViews.Render(context, LedgerViews.Fields(LedgerViews.AccountRows(state, (await node.MarketAsync()).Currency)));
        }));
        return command;
    }

    private static Command Statement(CliContext context)
    {
        var (address, key) = Who();
        var from = new Option<string>("--from") { Description = "First time (ISO 8601, UTC or local), inclusive", Required = true };
        var to = new Option<string>("--to") { Description = "End time (ISO 8601), exclusive" };
        var contract = new Option<string>("--contract") { Description = "Only this contract's lines (its id, or the short form 0x1234…abcd)" };
        var csv = new Option<FileInfo>("--csv") { Description = "Also write the lines (with --contract: the contract's lines; with --plot: the plotted series) to this CSV file" };
        var plot = new Option<bool>("--plot") { Description = "Draw the period: contracted vs metered energy per interval, and the money flows (contract, fees, POLR imbalance)" };
        var command = new Command("statement", "Settlement statement (Settlement/GetStatement) between --from and --to, with a line per contract and interval")
            { address, key, from, to, contract, csv, plot };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var who = Resolve(context, parse, address, key);
            ulong start = Terms.Time(parse.GetValue(from)!, "--from", context.Env.TimeZone);
            ulong end = parse.GetValue(to) is { } toText ? Terms.Time(toText, "--to", context.Env.TimeZone) : 0;
            using var node = context.ConnectNode(parse);
            ByteString? only = parse.GetValue(contract) is { } id
                ? IdLookup.Full(id) ?? IdLookup.Resolve(id, "contract", "--contract", (await node.ContractsAsync(who)).Select(c => c.Id))
                : null;
            var statement = await node.StatementAsync(who, start, end, only);
            var currency = (await node.MarketAsync()).Currency;
            var lines = statement.Lines.Select(LedgerViews.StatementLine).ToList();
            var contractLines = statement.ContractLines.Select(LedgerViews.ContractLine).ToList();
            if (parse.GetValue(plot))
            {
                var day = new DayPlot(statement, currency);
                if (parse.GetValue(csv) is { } plotFile) AtomicFile.Write(plotFile.FullName, day.Csv(), overwrite: true);
                if (json) { context.Print(true, new JsonObject { ["plot"] = day.Json() }, ""); return; }
                context.Env.Out.WriteLine($"account {who} {(end == 0 ? "from " + Terms.Format(start) : $"from {Terms.Format(start)} to {Terms.Format(end)}")}");
                LedgerViews.Render(context, day.Render());
                return;
            }
            if (parse.GetValue(csv) is { } file) AtomicFile.Write(file.FullName,
                only is null ? Csv(lines, LedgerViews.StatementLine(new StatementLine())) : Csv(contractLines, LedgerViews.ContractLine(new ContractLine())), overwrite: true);
            if (json)
            {
                var result = new JsonObject { ["account"] = LedgerViews.Account(statement.Account ?? new AccountState()), ["contractLines"] = new JsonArray([.. contractLines]) };
                if (only is null) result["lines"] = new JsonArray([.. lines]);
                context.Print(true, result, "");
                return;
            }
            if (statement.Account is { } account)
                context.Env.Out.WriteLine($"account {who}: balance {currency.WithCode(account.Balance)}, escrow {currency.WithCode(account.Escrow)}, debt {currency.WithCode(account.Debt)}");
            string span = $"from {Terms.Format(start)}{(end == 0 ? "" : " to " + Terms.Format(end))}";
            if (only is null)
            {
                context.Env.Out.WriteLine($"{statement.Lines.Count} statement line(s) {span}");
                if (statement.Lines.Count > 0) LedgerViews.Render(context, LinesTable(statement.Lines, currency));
            }
            context.Env.Out.WriteLine(only is null
                ? $"{statement.ContractLines.Count} contract line(s) (settled intervals of its contracts)"
                : $"{statement.ContractLines.Count} line(s) of contract {Hex.Encode(only.Span)} {span}");
            if (statement.ContractLines.Count > 0) LedgerViews.Render(context, ContractLinesTable(statement.ContractLines, currency));
        }));
        return command;
    }

    private static Table LinesTable(IEnumerable<StatementLine> lines, Currency currency)
    {
        var c = currency.Code;
        var table = new Table().AddColumns("time", "kind", "height", $"received {c}", $"paid {c}", $"fees {c}", "imbalance kWh", $"POLR {c}", $"balance {c}", $"escrow {c}", $"debt {c}");
        foreach (var l in lines)
        {
            Int128 polr = (Int128)l.ImbalanceCredit - l.ImbalanceCharge;
            table.AddRow(Terms.Format(l.Time), l.Kind, l.Height.ToString(CultureInfo.InvariantCulture), currency.Format(l.ContractReceived), currency.Format(l.ContractPaid),
                currency.Format((Int128)l.DmoFeePaid + l.GridFeePaid + l.StandbyFee + l.SubscriptionFee), Terms.Kwh(l.ImbalanceWh), currency.Format(polr),
                currency.Format(l.BalanceAfter), currency.Format(l.EscrowAfter), currency.Format(l.DebtAfter));
        }
        return table;
    }

    private static Table ContractLinesTable(IEnumerable<ContractLine> lines, Currency currency)
    {
        var c = currency.Code;
        var table = new Table().AddColumns("time", "contract", "side", "kWh", "counterparty meter", $"received {c}", $"paid {c}", $"DMO fee {c}", $"grid fee {c}");
        foreach (var l in lines)
            table.AddRow(Terms.Format(l.Time), LedgerViews.Short(LedgerViews.Id(l.ContractId)), l.Sell ? "sell" : "buy", Terms.Kwh(l.Wh), Markup.Escape(l.CounterpartyMeter),
                currency.Format(l.ContractReceived), currency.Format(l.ContractPaid), currency.Format(l.DmoFeePaid), currency.Format(l.GridFeePaid));
        return table;
    }

    /// <summary>CSV of JSON lines: a header of the keys of <paramref name="shape"/>, values as the JSON has them.</summary>
    public static string Csv(IReadOnlyList<JsonObject> lines, JsonObject shape)
    {
        var header = shape.Select(kv => kv.Key).ToList();
        var text = new StringBuilder(string.Join(',', header)).Append('\n');
        foreach (var line in lines) text.Append(string.Join(',', header.Select(h => line[h]?.ToString() ?? ""))).Append('\n');
        return text.ToString();
    }
}
