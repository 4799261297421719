using System.CommandLine;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Wallet.Node;
using Spectre.Console;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe offer post | list | take | cancel</c>: one-sided orders in the node's order book. An offer's id is its
/// EIP-712 digest, which the node reports as the payload id and takes refer to.
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

    private static ulong Until(CliContext context, ParseResult parse, Option<string> validFor)
        => (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds() + (ulong)Terms.Duration(parse.GetValue(validFor)!, "--valid-for").TotalSeconds;

    private static Command Post(CliContext context)
    {
        var sell = new Option<bool>("--sell") { Description = "A sell order: you deliver" };
        var buy = new Option<bool>("--buy") { Description = "A buy order: you take delivery" };
        var meter = new Option<string>("--meter") { Description = "Your meter", Required = true };
        var start = new Option<string>("--start") { Description = "First interval start, ISO 8601 (UTC with Z, else local)", Required = true };
        var intervals = new Option<uint>("--intervals") { Description = "Number of consecutive intervals", Required = true };
        var kwh = new Option<string>("--kwh") { Description = "Most energy that may be taken per interval, kWh", Required = true };
        var price = new Option<string>("--price-per-kwh") { Description = "Micro-units per kWh", Required = true };
        var validFor = ValidFor();
        var command = OperatorCommands.Signed(context, "post", "Post a sell or buy offer (--key is the maker's)", "maker's",
            [sell, buy, meter, start, intervals, kwh, price, validFor], parse =>
            {
                if (parse.GetValue(sell) == parse.GetValue(buy)) throw new WalletException(ExitCode.Usage, "USAGE", "give exactly one of --sell or --buy");
                if (parse.GetValue(intervals) == 0) throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, "--intervals must be at least 1");
                return new Offer
                {
                    Maker = NodeClient.Bytes(SigningKey.SignerOf(context, parse)), Meter = parse.GetValue(meter)!, Sell = parse.GetValue(sell),
                    IntervalStart = Terms.Time(parse.GetValue(start)!, "--start"), IntervalCount = parse.GetValue(intervals),
                    WhPerInterval = Terms.WattHours(parse.GetValue(kwh)!, "--kwh"), PricePerKwh = Terms.MicroUnits(parse.GetValue(price)!, "--price-per-kwh"),
                    Nonce = Terms.Nonce(), ValidUntil = Until(context, parse, validFor),
                };
            });
        return command;
    }

    private static Command List(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Include cancelled and filled offers" };
        var command = new Command("list", "The order book (GetOffers)") { all };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            using var node = NodeClient.Connect(context, parse);
            var offers = await node.OffersAsync(parse.GetValue(all));
            if (json) { context.Print(true, new JsonObject { ["offers"] = new JsonArray([.. offers.Select(o => (JsonNode)Describe(o))]) }, ""); return; }
            context.Env.Out.WriteLine($"{offers.Count} offer(s)");
            if (offers.Count == 0) return;
            var table = new Table().AddColumns("id", "side", "maker", "meter", "start", "intervals", "kWh left/interval", "price/kWh", "valid until");
            foreach (var o in offers)
                table.AddRow(Hex.Encode(o.Id.Span), o.Cancelled ? "cancelled" : o.Terms.Sell ? "sell" : "buy", Address.FromBytes(o.Terms.Maker.Span).ToString(), o.Terms.Meter,
                    Terms.Format(o.Terms.IntervalStart), o.Terms.IntervalCount.ToString(), Terms.Kwh(o.RemainingWhPerInterval), Terms.Money(o.Terms.PricePerKwh), Terms.Format(o.Terms.ValidUntil));
            AccountCommands.Render(context, table);
        }));
        return command;
    }

    private static Command Take(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The offer id (its EIP-712 digest)" };
        var kwh = new Option<string>("--kwh") { Description = "Energy to take per interval, kWh", Required = true };
        var meter = new Option<string>("--meter") { Description = "Your meter", Required = true };
        var validFor = ValidFor();
        return OperatorCommands.Signed(context, "take", "Take part or all of an offer; creates a contract (--key is the taker's)", "taker's", [id, kwh, meter, validFor],
            parse => new Take
            {
                OfferId = ByteString.CopyFrom(Terms.Id(parse.GetValue(id)!, "ID")), Taker = NodeClient.Bytes(SigningKey.SignerOf(context, parse)),
                Meter = parse.GetValue(meter)!, WhPerInterval = Terms.WattHours(parse.GetValue(kwh)!, "--kwh"), Nonce = Terms.Nonce(), ValidUntil = Until(context, parse, validFor),
            });
    }

    private static Command Cancel(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The offer id (its EIP-712 digest)" };
        return OperatorCommands.Signed(context, "cancel", "Cancel your offer (--key is the maker's)", "maker's", [id], parse => new CancelOffer
        {
            OfferId = ByteString.CopyFrom(Terms.Id(parse.GetValue(id)!, "ID")), Maker = NodeClient.Bytes(SigningKey.SignerOf(context, parse)), Nonce = Terms.Nonce(),
        });
    }

    private static JsonObject Describe(OfferState offer) => new()
    {
        ["id"] = Hex.Encode(offer.Id.Span),
        ["terms"] = LedgerTypedData.ToJson(offer.Terms),
        ["remainingWhPerInterval"] = offer.RemainingWhPerInterval,
        ["cancelled"] = offer.Cancelled,
        ["height"] = offer.Height,
    };
}
