using System.Globalization;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using Google.Protobuf;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// Settles one interval once its reading window has closed, in a fixed order so every node moves the same money:
/// (1) each active contract, in index key order, releases its instalment from the buyer's escrow — payment to the
/// seller less its DMO fee share, DMO fees to the market operator, the grid fee to the utility; (2) each meter's
/// imbalance (metered − contracted net export, a missing reading counting as zero metered energy), shortfalls
/// first and then surpluses, each in meter id order, is bought from or sold to the POLR at the interval's prices.
/// Shortfalls go first so that what they pay the utility is there to pay the surpluses.
/// </summary>
internal static class IntervalSettler
{
    public const string Kind = "Interval";

    public static IntervalSettlement Settle(SettlementBook book, ulong intervalStart)
    {
        var context = book.Context;
        var band = PolrPricing.BandAt(FeeSchedule.PolrAt(context.State, intervalStart), intervalStart);
        var record = new IntervalSettlement { IntervalStart = intervalStart, Height = context.Height, SellPerKwh = band.SellPerKwh, BuyPerKwh = band.BuyPerKwh };
        book.BeginEvent(intervalStart, Kind);
        var contracted = SettleContracts(book, intervalStart, record);
        var metered = ReadMeters(context.State, intervalStart, record);
        SettleImbalances(book, contracted, metered, band, record);
        book.PayReceivables();
        book.EndEvent();
        context.State.Set(SettlementKeys.Interval(intervalStart), record.ToByteArray());
        return record;
    }

    /// <summary>Releases every active contract's instalment; returns each meter's contracted net export (Wh).</summary>
    private static Dictionary<string, long> SettleContracts(SettlementBook book, ulong intervalStart, IntervalSettlement record)
    {
        var context = book.Context;
        ulong length = context.Parameters.IntervalSeconds;
        var contracted = new Dictionary<string, long>(StringComparer.Ordinal);
        // The index holds exactly the contracts not yet fully settled (entries leave with their last interval), keyed
        // by end: it is materialised first because settling deletes from it.
        var pending = context.State.Scan(StateKeys.ContractByIntervalPrefix).Select(kv => kv.Key).ToList();
        int prefix = StateKeys.ContractByIntervalPrefix.Length;
        foreach (var key in pending)
        {
            ulong end = ulong.Parse(key.AsSpan(prefix, 20), NumberStyles.None, CultureInfo.InvariantCulture);
            if (end <= intervalStart) continue;
            var id = key[(prefix + 21)..];
            var contract = ContractState.Parser.ParseFrom(context.State.Get(StateKeys.ContractPrefix + id)
                ?? throw new InvalidOperationException($"index entry {key} names a contract that does not exist"));
            var terms = contract.Terms;
            if (terms.IntervalStart > intervalStart) continue;
            // Contracts commit before gate closure and intervals settle in order, so interval k is always the next one
            // of this contract; the contract record itself is not rewritten (see SettlementProgress).
            uint k = (uint)((intervalStart - terms.IntervalStart) / length);
            SettleInstalment(book, contract, ContractInstalment.Of(contract, k), record);
            contracted[terms.SellerMeter] = checked(contracted.GetValueOrDefault(terms.SellerMeter) + (long)terms.WhPerInterval);
            contracted[terms.BuyerMeter] = checked(contracted.GetValueOrDefault(terms.BuyerMeter) - (long)terms.WhPerInterval);
            if (k + 1 == terms.IntervalCount) context.State.Delete(key);
        }
        return contracted;
    }

    private static void SettleInstalment(SettlementBook book, ContractState contract, ContractInstalment due, IntervalSettlement record)
    {
        var sellerAddress = Address.FromBytes(contract.Terms.Seller.Span);
        var buyerAddress = Address.FromBytes(contract.Terms.Buyer.Span);
        var buyer = book.Account(buyerAddress);
        buyer.Escrow = checked(buyer.Escrow - due.EscrowReleased);
        var buyerLine = book.Line(buyerAddress);
        buyerLine.ContractPaid += due.Payment;
        buyerLine.DmoFeePaid += due.DmoFeeBuyer;
        buyerLine.GridFeePaid += due.GridFee;

        // The seller's DMO fee comes out of its payout; if a tiny price leaves the payout short of the fee, its free
        // balance covers the rest, and what even that cannot cover is written off (recorded, never a negative balance).
        var seller = book.Account(sellerAddress);
        seller.Balance = checked(seller.Balance + due.Payment);
        ulong sellerFee = Math.Min(seller.Balance, due.DmoFeeSeller);
        seller.Balance -= sellerFee;
        var sellerLine = book.Line(sellerAddress);
        sellerLine.ContractReceived += due.Payment;
        sellerLine.DmoFeePaid += sellerFee;
        sellerLine.Uncollected += due.DmoFeeSeller - sellerFee;

        var dmo = book.Account(book.MarketOperator);
        dmo.Balance = checked(dmo.Balance + due.DmoFeeBuyer + sellerFee);
        book.Line(book.MarketOperator).FeeIncome += due.DmoFeeBuyer + sellerFee;
        var utility = book.Account(book.Utility);
        utility.Balance = checked(utility.Balance + due.GridFee);
        book.Line(book.Utility).FeeIncome += due.GridFee;

        record.Contracts++;
        record.ContractPayments = checked(record.ContractPayments + due.Payment);
        record.DmoFeesBuyer = checked(record.DmoFeesBuyer + due.DmoFeeBuyer);
        record.DmoFeesSeller = checked(record.DmoFeesSeller + sellerFee);
        record.GridFees = checked(record.GridFees + due.GridFee);
        record.EscrowReleased = checked(record.EscrowReleased + due.EscrowReleased);
        record.Uncollected = checked(record.Uncollected + (due.DmoFeeSeller - sellerFee));
    }

    /// <summary>Each reporting meter's metered net export (export − import, Wh).</summary>
    private static Dictionary<string, long> ReadMeters(IStateReader state, ulong intervalStart, IntervalSettlement record)
    {
        var metered = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (_, value) in state.Scan(StateKeys.Reading(intervalStart, "")))
        {
            var reading = MeterReading.Parser.ParseFrom(value);
            metered[reading.Meter] = checked((long)reading.ExportWh - (long)reading.ImportWh);
            record.Readings++;
        }
        return metered;
    }

    private static void SettleImbalances(SettlementBook book, Dictionary<string, long> contracted, Dictionary<string, long> metered, PolrPrice band, IntervalSettlement record)
    {
        var meters = contracted.Keys.Union(metered.Keys).Order(StringComparer.Ordinal).ToList();
        record.Meters = (uint)meters.Count;
        var shortfalls = new List<(Address Owner, ulong Wh)>();
        var surpluses = new List<(Address Owner, ulong Wh)>();
        foreach (var meter in meters)
        {
            if (!metered.TryGetValue(meter, out long net)) record.MissingReadings++;
            long imbalance = checked(net - contracted.GetValueOrDefault(meter));
            record.ImbalanceWh = checked(record.ImbalanceWh + imbalance);
            if (imbalance == 0) continue;
            var state = book.Context.Meter(meter) ?? throw new InvalidOperationException($"meter {meter} has a contract or reading but is not registered");
            var owner = Address.FromBytes(state.Owner.Span);
            book.Line(owner).ImbalanceWh += imbalance;
            if (imbalance < 0) shortfalls.Add((owner, (ulong)-imbalance));
            else surpluses.Add((owner, (ulong)imbalance));
        }
        foreach (var (owner, wh) in shortfalls)
        {
            record.PolrSuppliedWh = checked(record.PolrSuppliedWh + wh);
            if (owner == book.Utility) continue; // the POLR's own meters: energy counted, no money changes hands
            ulong charge = PolrPricing.Amount(wh, band.SellPerKwh);
            var line = book.Line(owner);
            ulong debtBefore = line.DebtAdded;
            ulong paid = book.ChargeForPolr(owner, charge);
            line.ImbalanceCharge += charge;
            book.Line(book.Utility).PolrIncome += paid;
            record.PolrCharges = checked(record.PolrCharges + charge);
            record.DebtAdded = checked(record.DebtAdded + (line.DebtAdded - debtBefore));
        }
        foreach (var (owner, wh) in surpluses)
        {
            record.PolrAbsorbedWh = checked(record.PolrAbsorbedWh + wh);
            if (owner == book.Utility) continue;
            ulong credit = PolrPricing.Amount(wh, band.BuyPerKwh);
            var line = book.Line(owner);
            ulong receivableBefore = line.ReceivableAdded;
            ulong paid = book.CreditFromPolr(owner, credit);
            line.ImbalanceCredit += credit;
            book.Line(book.Utility).PolrPaid += paid;
            record.PolrCredits = checked(record.PolrCredits + credit);
            record.ReceivableAdded = checked(record.ReceivableAdded + (line.ReceivableAdded - receivableBefore));
        }
    }
}
