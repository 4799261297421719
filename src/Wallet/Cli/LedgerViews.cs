using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// Ledger records as every screen shows them. JSON carries exact integers with their unit in the key (money in
/// <c>…Micros</c>, the ledger's 10^−decimals unit; energy in <c>…Wh</c>) and times as ISO 8601 UTC; people read money in
/// the market's currency with its decimals and energy in kWh with three decimals; ids in tables are shortened
/// (<c>0x1234…abcd</c>, which the commands that take an id accept back).
/// </summary>
internal static class LedgerViews
{
    public static string Address(ByteString bytes) => bytes.Length == 20 ? Contracts.Crypto.Address.FromBytes(bytes.Span).ToString() : "";

    public static string Id(ByteString bytes) => bytes.IsEmpty ? "" : Hex.Encode(bytes.Span);

    /// <summary><c>0x1234…abcd</c>: enough of an id or address to tell it apart on a screen.</summary>
    public static string Short(string hex) => hex.Length <= 14 ? hex : hex[..6] + "…" + hex[^4..];

    public static JsonObject Account(AccountState state) => new()
    {
        ["address"] = Address(state.Address),
        ["name"] = state.Name,
        ["role"] = state.Role,
        ["admitted"] = state.Admitted,
        ["suspended"] = state.Suspended,
        ["suspensionReason"] = state.SuspensionReason,
        ["balanceMicros"] = state.Balance,
        ["escrowMicros"] = state.Escrow,
        ["debtMicros"] = state.Debt,
        ["polrReceivableMicros"] = state.PolrReceivable,
        ["polrPayableMicros"] = state.PolrPayable,
        ["aggregators"] = new JsonArray([.. state.Aggregators.Select(a => (JsonNode)Address(a))]),
    };

    /// <summary>An account for people: the same fields, money in the currency.</summary>
    public static IEnumerable<(string Field, string Value)> AccountRows(AccountState state, Currency currency)
    {
        yield return ("address", Address(state.Address));
        yield return ("name", state.Name);
        yield return ("role", state.Role);
        yield return ("admitted", state.Admitted ? "yes" : "no");
        if (state.Suspended) yield return ("suspended", $"yes: {state.SuspensionReason}");
        yield return ($"balance ({currency.Code})", currency.Format(state.Balance));
        yield return ($"escrow ({currency.Code})", currency.Format(state.Escrow));
        yield return ($"debt to the POLR ({currency.Code})", currency.Format(state.Debt));
        if (state.PolrReceivable > 0) yield return ($"owed by the POLR ({currency.Code})", currency.Format(state.PolrReceivable));
        if (state.PolrPayable > 0) yield return ($"POLR owes in all ({currency.Code})", currency.Format(state.PolrPayable));
        if (state.Aggregators.Count > 0) yield return ("aggregators", string.Join(", ", state.Aggregators.Select(Address)));
    }

    /// <summary>The terms of a contract, flat: the signed struct's integers with their units in the keys.</summary>
    public static JsonObject Terms(EnergyContract t) => new()
    {
        ["seller"] = Address(t.Seller),
        ["buyer"] = Address(t.Buyer),
        ["sellerMeter"] = t.SellerMeter,
        ["buyerMeter"] = t.BuyerMeter,
        ["intervalStart"] = IsoTime.Format(t.IntervalStart),
        ["intervalCount"] = t.IntervalCount,
        ["whPerInterval"] = t.WhPerInterval,
        ["pricePerKwhMicros"] = t.PricePerKwh,
        ["nonce"] = t.Nonce,
        ["validUntil"] = IsoTime.Format(t.ValidUntil),
    };

    public static JsonObject Contract(ContractState c)
    {
        var json = new JsonObject { ["id"] = Id(c.Id) };
        foreach (var (key, value) in Terms(c.Terms)) json[key] = value?.DeepClone();
        json["height"] = c.Height;
        json["paymentMicros"] = c.Payment;
        json["dmoFeeBuyerMicros"] = c.DmoFeeBuyer;
        json["dmoFeeSellerMicros"] = c.DmoFeeSeller;
        json["gridFeeMicros"] = c.GridFee;
        json["pathLevel"] = c.PathLevel;
        json["offerId"] = c.OfferId.IsEmpty ? null : Id(c.OfferId);
        json["settledIntervals"] = c.SettledIntervals;
        return json;
    }

    /// <summary>A committed contract for people: who, when, how much, at what price, and what it costs.</summary>
    public static IEnumerable<(string Field, string Value)> ContractRows(ContractState c, Currency currency)
    {
        var t = c.Terms;
        yield return ("id", Id(c.Id));
        yield return ("seller", $"{Address(t.Seller)} meter {t.SellerMeter}");
        yield return ("buyer", $"{Address(t.Buyer)} meter {t.BuyerMeter}");
        yield return ("first interval", IsoTime.Format(t.IntervalStart));
        yield return ("intervals", $"{t.IntervalCount} ({c.SettledIntervals} settled)");
        yield return ("energy per interval", WattHours.FormatKwh(t.WhPerInterval) + " kWh");
        yield return ("energy in all", WattHours.FormatKwh((Int128)t.WhPerInterval * t.IntervalCount) + " kWh");
        yield return ($"price per kWh ({currency.Code})", currency.Format(t.PricePerKwh));
        yield return ($"payment ({currency.Code})", currency.Format(c.Payment));
        yield return ($"DMO fee buyer / seller ({currency.Code})", $"{currency.Format(c.DmoFeeBuyer)} / {currency.Format(c.DmoFeeSeller)}");
        yield return ($"grid fee ({currency.Code})", $"{currency.Format(c.GridFee)} ({c.PathLevel})");
        yield return ("committed at height", c.Height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!c.OfferId.IsEmpty) yield return ("from offer", Id(c.OfferId));
    }

    public static JsonObject Offer(OfferState o, ulong now) => new()
    {
        ["id"] = Id(o.Id),
        ["side"] = o.Terms.Sell ? "sell" : "buy",
        ["maker"] = Address(o.Terms.Maker),
        ["meter"] = o.Terms.Meter,
        ["intervalStart"] = IsoTime.Format(o.Terms.IntervalStart),
        ["intervalCount"] = o.Terms.IntervalCount,
        ["whPerInterval"] = o.Terms.WhPerInterval,
        ["remainingWhPerInterval"] = o.RemainingWhPerInterval,
        ["pricePerKwhMicros"] = o.Terms.PricePerKwh,
        ["validUntil"] = IsoTime.Format(o.Terms.ValidUntil),
        ["state"] = OfferState(o, now),
        ["height"] = o.Height,
    };

    /// <summary>open, expired (past validUntil: no take can commit), filled or cancelled.</summary>
    public static string OfferState(OfferState o, ulong now)
        => o.Cancelled ? "cancelled" : o.RemainingWhPerInterval == 0 ? "filled" : o.Terms.ValidUntil < now ? "expired" : "open";

    /// <summary>The StatementLine fields that are not money; every other integer field is micros.</summary>
    private static readonly HashSet<string> NotMoney = ["account", "time", "kind", "height", "imbalance_wh"];

    public static JsonObject StatementLine(StatementLine line)
    {
        var json = new JsonObject { ["time"] = IsoTime.Format(line.Time) };
        foreach (var field in Contracts.Protos.StatementLine.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.Name is "account" or "time") continue;
            var value = field.Accessor.GetValue(line);
            json[NotMoney.Contains(field.Name) ? field.JsonName : field.JsonName + "Micros"] = value switch { string s => s, ulong u => u, long l => l, _ => value.ToString() };
        }
        return json;
    }

    public static JsonObject ContractLine(ContractLine line) => new()
    {
        ["time"] = IsoTime.Format(line.Time),
        ["contractId"] = Id(line.ContractId),
        ["side"] = line.Sell ? "sell" : "buy",
        ["wh"] = line.Wh,
        ["counterpartyMeter"] = line.CounterpartyMeter,
        ["contractReceivedMicros"] = line.ContractReceived,
        ["contractPaidMicros"] = line.ContractPaid,
        ["dmoFeePaidMicros"] = line.DmoFeePaid,
        ["gridFeePaidMicros"] = line.GridFeePaid,
    };

    /// <summary>A two-column field/value table.</summary>
    public static Table Fields(IEnumerable<(string Field, string Value)> rows)
    {
        var table = new Table().AddColumn("field").AddColumn("value");
        foreach (var (field, value) in rows) table.AddRow(Markup.Escape(field), Markup.Escape(value));
        return table;
    }

    /// <summary>
    /// Renders to the command's output writer (not the process console), plain text, at the terminal's width (or as
    /// wide as the content needs when the output is not a terminal).
    /// </summary>
    public static void Render(CliContext context, IRenderable renderable) => Write(context.Env.Out, context.Env.Width ?? 240, renderable);

    /// <summary>Writes <paramref name="renderable"/> as plain text (no colours, no ANSI) at <paramref name="width"/> columns.</summary>
    public static void Write(TextWriter output, int width, IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Write(renderable);
    }
}
