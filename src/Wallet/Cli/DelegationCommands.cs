using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using Spectre.Console;
using Delegate = P2PEnergy.Contracts.Protos.Delegate;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe delegation accept | revoke | list</c>: a member lets an aggregator sign its contracts, offers and takes
/// (Delegate), either side ends it, and the aggregator sees the members it acts for — their meters, balances, open
/// positions and this day's statement totals. The aggregator then signs with <c>contract sign --key AGGREGATOR</c> and
/// <c>offer post|take|cancel --for MEMBER --key AGGREGATOR</c>.
/// </summary>
internal static class DelegationCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("delegation", "Aggregators: members delegate to one (accept), either side ends it (revoke), the aggregator lists its members");
        command.Subcommands.Add(Accept(context));
        command.Subcommands.Add(Revoke(context));
        command.Subcommands.Add(List(context));
        return command;
    }

    private static Option<string> Aggregator(bool required) => new("--aggregator") { Description = "The aggregator: 0x address or key name", Required = required };

    private static Command Accept(CliContext context)
    {
        var aggregator = Aggregator(required: true);
        return OperatorCommands.Signed(context, "accept", "Member: let the aggregator sign contracts, offers and takes for you (--key is the member's)", "member's",
            [aggregator], parse => new Delegate
            {
                Member = NodeClient.Bytes(SigningKey.SignerOf(context, parse)), Aggregator = OperatorCommands.Address(context, parse, aggregator, "--aggregator"),
                Active = true, Nonce = Terms.Nonce(),
            });
    }

    private static Command Revoke(CliContext context)
    {
        var aggregator = Aggregator(required: false);
        var member = new Option<string>("--member") { Description = "As the aggregator: the member to stop acting for (0x address or key name)" };
        return OperatorCommands.Signed(context, "revoke",
            "End a delegation: the member with --aggregator A --key MEMBER, or the aggregator with --member M --key AGGREGATOR", "member's or aggregator's",
            [aggregator, member], parse =>
            {
                var signer = NodeClient.Bytes(SigningKey.SignerOf(context, parse));
                return (parse.GetValue(aggregator), parse.GetValue(member)) switch
                {
                    ({ }, null) => new Delegate { Member = signer, Aggregator = OperatorCommands.Address(context, parse, aggregator, "--aggregator"), Active = false, Nonce = Terms.Nonce() },
                    (null, { }) => new Delegate { Member = OperatorCommands.Address(context, parse, member, "--member"), Aggregator = signer, Active = false, Nonce = Terms.Nonce() },
                    _ => throw new WalletException(ExitCode.Usage, "USAGE", "give exactly one of --aggregator (you are the member) or --member (you are the aggregator)"),
                };
            });
    }

    private static Command List(CliContext context)
    {
        var (address, key) = AccountCommands.Who();
        address.Description = "The aggregator's 0x address";
        key.Description = "Name of the aggregator's key";
        var from = new Option<string>("--from") { Description = "Statement totals from this time (ISO 8601; default: the start of today, UTC)" };
        var command = new Command("list", "The members that delegated to the aggregator: meters, balance, open contracts and statement totals") { address, key, from };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var aggregator = AccountCommands.Resolve(context, parse, address, key);
            ulong now = (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds();
            ulong start = parse.GetValue(from) is { } text ? Terms.Time(text, "--from", context.Env.TimeZone) : now / 86_400 * 86_400;
            using var node = context.ConnectNode(parse);
            var currency = (await node.MarketAsync()).Currency;
            var members = new List<Member>();
            foreach (var account in await node.DelegatorsAsync(aggregator))
            {
                var who = Address.FromBytes(account.Address.Span);
                var open = (await node.ContractsAsync(who)).Where(c => c.SettledIntervals < c.Terms.IntervalCount).ToList();
                members.Add(new Member(account, await node.MetersAsync(who), open, await node.StatementAsync(who, start, 0)));
            }
            if (json)
            {
                context.Print(true, new JsonObject
                {
                    ["aggregator"] = aggregator.ToString(), ["statementFrom"] = IsoTime.Format(start),
                    ["members"] = new JsonArray([.. members.Select(m => (JsonNode)m.Json())]),
                }, "");
                return;
            }
            context.Env.Out.WriteLine($"{members.Count} member(s) delegated to {aggregator}; statement totals from {IsoTime.Format(start)}");
            if (members.Count == 0) return;
            var c = currency.Code;
            var table = new Table().AddColumns("member", "name", "meters", $"balance {c}", $"escrow {c}", "open contracts", "open kWh", $"received {c}", $"paid {c}", $"fees {c}");
            foreach (var m in members)
            {
                var lines = m.Statement.Lines;
                table.AddRow(LedgerViews.Short(LedgerViews.Address(m.Account.Address)), Markup.Escape(m.Account.Name), Markup.Escape(string.Join(", ", m.Meters.Select(x => x.Meter))),
                    currency.Format(m.Account.Balance), currency.Format(m.Account.Escrow), m.Open.Count.ToString(CultureInfo.InvariantCulture), Terms.Kwh(m.OpenWh),
                    currency.Format(lines.Aggregate(Int128.Zero, (s, l) => s + l.ContractReceived)), currency.Format(lines.Aggregate(Int128.Zero, (s, l) => s + l.ContractPaid)),
                    currency.Format(lines.Aggregate(Int128.Zero, (s, l) => s + l.DmoFeePaid + l.GridFeePaid + l.StandbyFee + l.SubscriptionFee)));
            }
            LedgerViews.Render(context, table);
        }));
        return command;
    }

    /// <summary>One member as the aggregator sees it.</summary>
    private sealed record Member(AccountState Account, IReadOnlyList<MeterState> Meters, IReadOnlyList<ContractState> Open, Statement Statement)
    {
        /// <summary>Energy still to deliver or take over the open contracts' unsettled intervals, Wh.</summary>
        public Int128 OpenWh => Open.Aggregate(Int128.Zero, (s, c) => s + (Int128)c.Terms.WhPerInterval * (c.Terms.IntervalCount - c.SettledIntervals));

        public JsonObject Json()
        {
            var json = LedgerViews.Account(Account);
            json["meters"] = new JsonArray([.. Meters.Select(m => (JsonNode)m.Meter)]);
            json["openContracts"] = new JsonArray([.. Open.Select(c => (JsonNode)LedgerViews.Contract(c))]);
            json["openWh"] = (long)OpenWh;
            json["statementLines"] = new JsonArray([.. Statement.Lines.Select(l => (JsonNode)LedgerViews.StatementLine(l))]);
            return json;
        }
    }
}
