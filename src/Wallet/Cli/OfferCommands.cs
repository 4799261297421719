using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using Spectre.Console;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe offer post | list | take | cancel</c>: one-sided orders in the node's order book. An offer's id is its
/// EIP-712 digest, which the node reports as the payload id and takes refer to; a take's id is the id of the contract
/// it creates. An aggregator acts for a participant that delegated to it with <c>--for</c>.
/// </summary>
internal static class OfferCommands
{
    public static Command Create(CliContext context)
    {
        var offer = new Command("offer", "Post, list, take and cancel offers in the order book");
        offer.Subcommands.Add(Post(context));
        offer.Subcommands.Add(List(context));
        offer.Subcommands.Add(Take(context));
        offer.Subcommands.Add(Cancel(context));
        return offer;
    }

    private static Option<string> ValidFor() => new("--valid-for") { Description = "How long it may be taken/committed (default 24h)", DefaultValueFactory = _ => "24h" };

    /// <summary>--for MEMBER: an aggregator signing for a participant that delegated to it.</summary>
    private static Option<string> For() => new("--for") { Description = "Act for this participant (0x address or key name) as the aggregator it delegated to; --key is the aggregator's" };

    private static ulong Until(CliContext context, ParseResult parse, Option<string> validFor)
        => (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds() + (ulong)Terms.Duration(parse.GetValue(validFor)!, "--valid-for").TotalSeconds;

    /// <summary>
    /// Whom the body names: the --key's own account, or with --for the member — after checking with the node that the
    /// member delegated to the key (NOT_A_PARTY otherwise, as the node would refuse it).
    /// </summary>
    public static async Task<ByteString> ActorAsync(CliContext context, ParseResult parse, NodeClient node, Option<string> onBehalf)
    {
        var signer = SigningKey.SignerOf(context, parse);
        if (parse.GetValue(onBehalf) is not { } text) return NodeClient.Bytes(signer);
        var member = Terms.Party(context, text, "--for");
        if (member == signer) return NodeClient.Bytes(signer);
        var account = await node.AccountAsync(member);
        if (!account.Aggregators.Any(a => a.Span.SequenceEqual(signer.Bytes)))
            throw new WalletException(ExitCode.Rejected, ReasonCodes.NotAParty,
                $"{member} has not delegated to {signer} (its aggregators: {(account.Aggregators.Count == 0 ? "none" : string.Join(", ", account.Aggregators.Select(LedgerViews.Address)))}); it must run `p2pe delegation accept` first");
        return NodeClient.Bytes(member);
    }

    private static Command Post(CliContext context)
    {
        var sell = new Option<bool>("--sell") { Description = "A sell order: you deliver" };
        var buy = new Option<bool>("--buy") { Description = "A buy order: you take delivery" };
        var meter = new Option<string>("--meter") { Description = "Your meter (with --for: the member's)", Required = true };
        var start = new Option<string>("--start") { Description = "First interval start, ISO 8601 (UTC with Z, else local)", Required = true };
        var intervals = new Option<uint>("--intervals") { Description = "Number of consecutive intervals", Required = true };
        var kwh = new Option<string>("--kwh") { Description = "Most energy that may be taken per interval, kWh", Required = true };
        var price = new Option<string>("--price-per-kwh") { Description = "Price per kWh in the market's currency, e.g. 0.09", Required = true };
        var validFor = ValidFor();
        var onBehalf = For();
        return OperatorCommands.Signed(context, "post", "Post a sell or buy offer (--key is the maker's, or its aggregator's with --for)", "maker's",
            [sell, buy, meter, start, intervals, kwh, price, validFor, onBehalf], async (parse, node, market) =>
            {
                if (parse.GetValue(sell) == parse.GetValue(buy)) throw new WalletException(ExitCode.Usage, "USAGE", "give exactly one of --sell or --buy");
                if (parse.GetValue(intervals) == 0) throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, "--intervals must be at least 1");
                var offer = new Offer
                {
                    Meter = parse.GetValue(meter)!, Sell = parse.GetValue(sell),
                    IntervalStart = Terms.Time(parse.GetValue(start)!, "--start", context.Env.TimeZone), IntervalCount = parse.GetValue(intervals),
                    WhPerInterval = Terms.WattHours(parse.GetValue(kwh)!, "--kwh"), PricePerKwh = Terms.Money(parse.GetValue(price)!, "--price-per-kwh", market.Currency),
                    Nonce = Terms.Nonce(), ValidUntil = Until(context, parse, validFor),
                };
                offer.Maker = await ActorAsync(context, parse, node, onBehalf);
                return offer;
            });
    }

    private static Command List(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Also show expired, filled and cancelled offers" };
        var command = new Command("list", "The open offers of the order book (GetOffers), expired ones hidden") { all };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            using var node = context.ConnectNode(parse);
            bool everything = parse.GetValue(all);
            ulong now = (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds();
            // The node's open list still holds offers past validUntil (no take can commit them): hidden unless --all.
            var offers = (await node.OffersAsync(everything)).Where(o => everything || LedgerViews.OfferState(o, now) == "open").ToList();
            if (json) { context.Print(true, new JsonObject { ["offers"] = new JsonArray([.. offers.Select(o => (JsonNode)LedgerViews.Offer(o, now))]) }, ""); return; }
            context.Env.Out.WriteLine($"{offers.Count} {(everything ? "" : "open ")}offer(s)");
            if (offers.Count == 0) return;
            var currency = (await node.MarketAsync()).Currency;
            var table = new Table().AddColumns("id", "side", "maker", "meter", "start", "intervals", "kWh left/interval", $"price/kWh {currency.Code}", "valid until");
            if (everything) table.AddColumn("state");
            foreach (var o in offers)
            {
                var cells = new List<string>
                {
                    LedgerViews.Short(LedgerViews.Id(o.Id)), o.Terms.Sell ? "sell" : "buy", LedgerViews.Short(LedgerViews.Address(o.Terms.Maker)), Markup.Escape(o.Terms.Meter),
                    Terms.Format(o.Terms.IntervalStart), o.Terms.IntervalCount.ToString(CultureInfo.InvariantCulture), Terms.Kwh(o.RemainingWhPerInterval),
                    currency.Format(o.Terms.PricePerKwh), Terms.Format(o.Terms.ValidUntil),
                };
                if (everything) cells.Add(LedgerViews.OfferState(o, now));
                table.AddRow([.. cells]);
            }
            LedgerViews.Render(context, table);
        }));
        return command;
    }

    private static Command Take(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The offer id (its EIP-712 digest), or its short form 0x1234…abcd" };
        var kwh = new Option<string>("--kwh") { Description = "Energy to take per interval, kWh", Required = true };
        var meter = new Option<string>("--meter") { Description = "Your meter (with --for: the member's)", Required = true };
        var validFor = ValidFor();
        var onBehalf = For();
        return OperatorCommands.Signed(context, "take", "Take part or all of an offer; creates a contract, which it prints (--key is the taker's, or its aggregator's with --for)", "taker's",
            [id, kwh, meter, validFor, onBehalf], async (parse, node, _) => new Take
            {
                OfferId = await OfferIdAsync(node, parse.GetValue(id)!), Taker = await ActorAsync(context, parse, node, onBehalf),
                Meter = parse.GetValue(meter)!, WhPerInterval = Terms.WattHours(parse.GetValue(kwh)!, "--kwh"), Nonce = Terms.Nonce(), ValidUntil = Until(context, parse, validFor),
            }, after: PrintContractAsync);
    }

    /// <summary>A take's id is the id of the contract it creates: shown with the take, and in full once it committed.</summary>
    private static async Task PrintContractAsync(CliContext context, NodeClient node, IMessage body, Submitted submitted, bool json)
    {
        var contractId = (string)submitted.Result["id"]!;
        submitted.Result["contractId"] = contractId;
        if (submitted.Status is null)
        {
            context.Print(json, submitted.Result, $"{submitted.Human}\nthe take creates contract {contractId} when it commits (p2pe contract show {LedgerViews.Short(contractId)})");
            return;
        }
        var contract = await node.ContractAsync(ByteString.CopyFrom(Hex.Decode(contractId, 32)));
        submitted.Result["contract"] = LedgerViews.Contract(contract);
        if (json) { context.Print(true, submitted.Result, ""); return; }
        context.Env.Out.WriteLine($"{submitted.Human}\ncreated contract {contractId}:");
        LedgerViews.Render(context, LedgerViews.Fields(LedgerViews.ContractRows(contract, (await node.MarketAsync()).Currency)));
    }

    private static async Task<ByteString> OfferIdAsync(NodeClient node, string text)
        => IdLookup.Full(text) ?? IdLookup.Resolve(text, "offer", "ID", (await node.OffersAsync(includeClosed: true)).Select(o => o.Id));

    private static Command Cancel(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The offer id (its EIP-712 digest), or its short form 0x1234…abcd" };
        var onBehalf = For();
        return OperatorCommands.Signed(context, "cancel", "Cancel your offer (--key is the maker's, or its aggregator's with --for)", "maker's", [id, onBehalf],
            async (parse, node, _) => new CancelOffer
            {
                OfferId = await OfferIdAsync(node, parse.GetValue(id)!), Maker = await ActorAsync(context, parse, node, onBehalf), Nonce = Terms.Nonce(),
            });
    }
}
