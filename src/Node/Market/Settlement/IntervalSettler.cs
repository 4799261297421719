using System.Runtime.InteropServices;
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
        var meters = new MeterPositions();
        SettleContracts(book, intervalStart, meters, record);
        var ordered = ReadMeters(context.State, intervalStart, meters, record);
        SettleImbalances(book, ordered, band, record);
        book.PayReceivables();
        book.EndEvent();
        context.State.Set(SettlementKeys.Interval(intervalStart), record.ToByteArray());
        return record;
    }

    /// <summary>Releases every active contract's instalment and books each meter's contracted net export (Wh).</summary>
    private static void SettleContracts(SettlementBook book, ulong intervalStart, MeterPositions meters, IntervalSettlement record)
    {
        var context = book.Context;
        ulong length = context.Parameters.IntervalSeconds;
        var parties = new Parties(book);
        Span<char> meter = stackalloc char[64];
        // The index is keyed by each contract's end, so one range scan from "ends after this interval's start" yields
        // every contract still running and skips every finished one; its entries carry the terms and amounts
        // settlement needs (ContractDue), so no contract record is read. Entries stay after the last interval:
        // deleting them cost a state change (and its hashing) per contract per settlement.
        foreach (var (_, value) in context.State.Scan(StateKeys.ContractByIntervalPrefix, StateKeys.ContractByIntervalEndingAfter(intervalStart)))
        {
            var contract = ContractDueReader.Read(value);
            if (contract.IntervalStart > intervalStart) continue;
            // Contracts commit before gate closure and intervals settle in order, so interval k is always the next one
            // of this contract; the contract record itself is not rewritten (see SettlementProgress).
            uint k = (uint)((intervalStart - contract.IntervalStart) / length);
            var seller = parties.Of(contract.Seller);
            var buyer = parties.Of(contract.Buyer);
            SettleInstalment(parties, seller, buyer, ContractInstalment.Of(contract, k), record);
            // A contract's meters belong to its parties (checked at commit; a meter's owner never changes).
            long wh = checked((long)contract.WhPerInterval);
            var sold = meters.Get(Ascii(contract.SellerMeter, meter));
            sold.Owner ??= seller.Address;
            sold.ContractedWh = checked(sold.ContractedWh + wh);
            var bought = meters.Get(Ascii(contract.BuyerMeter, meter));
            bought.Owner ??= buyer.Address;
            bought.ContractedWh = checked(bought.ContractedWh - wh);
        }
    }

    /// <summary>A stored meter id as characters, in <paramref name="buffer"/> (ids are at most 64 ASCII characters).</summary>
    private static ReadOnlySpan<char> Ascii(ReadOnlySpan<byte> id, Span<char> buffer)
    {
        if (id.Length is 0 || id.Length > buffer.Length) throw new InvalidDataException($"stored meter id of {id.Length} bytes is outside 1–{buffer.Length}");
        for (int i = 0; i < id.Length; i++) buffer[i] = (char)id[i];
        return buffer[..id.Length];
    }

    private static void SettleInstalment(Parties parties, Party sellerParty, Party buyerParty, ContractInstalment due, IntervalSettlement record)
    {
        var (buyer, buyerLine) = (buyerParty.Account, buyerParty.Line);
        buyer.Escrow = checked(buyer.Escrow - due.EscrowReleased);
        buyerLine.ContractPaid += due.Payment;
        buyerLine.DmoFeePaid += due.DmoFeeBuyer;
        buyerLine.GridFeePaid += due.GridFee;

        // The seller's DMO fee comes out of its payout; if a tiny price leaves the payout short of the fee, its free
        // balance covers the rest, and what even that cannot cover is written off (recorded, never a negative balance).
        var (seller, sellerLine) = (sellerParty.Account, sellerParty.Line);
        seller.Balance = checked(seller.Balance + due.Payment);
        ulong sellerFee = Math.Min(seller.Balance, due.DmoFeeSeller);
        seller.Balance -= sellerFee;
        sellerLine.ContractReceived += due.Payment;
        sellerLine.DmoFeePaid += sellerFee;
        sellerLine.Uncollected += due.DmoFeeSeller - sellerFee;

        var (dmo, dmoLine) = (parties.MarketOperator.Account, parties.MarketOperator.Line);
        dmo.Balance = checked(dmo.Balance + due.DmoFeeBuyer + sellerFee);
        dmoLine.FeeIncome += due.DmoFeeBuyer + sellerFee;
        var (utility, utilityLine) = (parties.Utility.Account, parties.Utility.Line);
        utility.Balance = checked(utility.Balance + due.GridFee);
        utilityLine.FeeIncome += due.GridFee;

        record.Contracts++;
        record.ContractPayments = checked(record.ContractPayments + due.Payment);
        record.DmoFeesBuyer = checked(record.DmoFeesBuyer + due.DmoFeeBuyer);
        record.DmoFeesSeller = checked(record.DmoFeesSeller + sellerFee);
        record.GridFees = checked(record.GridFees + due.GridFee);
        record.EscrowReleased = checked(record.EscrowReleased + due.EscrowReleased);
        record.Uncollected = checked(record.Uncollected + (due.DmoFeeSeller - sellerFee));
    }

    /// <summary>A contract party in this interval: its account and statement line, looked up once.</summary>
    private sealed record Party(Address Address, AccountState Account, StatementLine Line);

    /// <summary>Each contract party of the interval, keyed by its address bytes without allocating.</summary>
    private sealed class Parties(SettlementBook book)
    {
        private readonly Dictionary<AddressKey, Party> _byAddress = [];
        private Party? _dmo, _utility;

        public Party Of(ReadOnlySpan<byte> address)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_byAddress, AddressKey.Of(address), out bool exists);
            if (!exists) entry = Create(Address.FromBytes(address));
            return entry!;
        }

        // Created on first use, so an interval without contracts writes no fee line for them.
        public Party MarketOperator => _dmo ??= Create(book.MarketOperator);
        public Party Utility => _utility ??= Create(book.Utility);

        private Party Create(Address address) => new(address, book.Account(address), book.Line(address));
    }

    /// <summary>One meter in the interval: its contracted and metered net export and, once known, its owner.</summary>
    private sealed class MeterPosition(string meter)
    {
        public string Meter { get; } = meter;
        public long ContractedWh { get; set; }
        public long? MeteredWh { get; set; }
        public Address? Owner { get; set; }
    }

    /// <summary>The interval's meters by id; contract entries look them up by a span of the stored id.</summary>
    private sealed class MeterPositions
    {
        private readonly Dictionary<string, MeterPosition> _byId = new(StringComparer.Ordinal);
        private readonly Dictionary<string, MeterPosition>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

        public MeterPositions() => _bySpan = _byId.GetAlternateLookup<ReadOnlySpan<char>>();

        public MeterPosition Get(ReadOnlySpan<char> id) => _bySpan.TryGetValue(id, out var position) ? position : Add(new string(id));

        public MeterPosition Get(string id) => _byId.TryGetValue(id, out var position) ? position : Add(id);

        private MeterPosition Add(string id)
        {
            var position = new MeterPosition(id);
            _byId.Add(id, position);
            return position;
        }

        public IEnumerable<MeterPosition> All => _byId.Values;
    }

    /// <summary>
    /// Books each reporting meter's metered net export (export − import, Wh) and returns every meter of the interval
    /// in meter id order: the readings come in that order (their keys end in the meter id), and the contract meters
    /// that did not report are sorted apart and merged in.
    /// </summary>
    private static List<MeterPosition> ReadMeters(IStateReader state, ulong intervalStart, MeterPositions meters, IntervalSettlement record)
    {
        var reported = new List<MeterPosition>();
        foreach (var (_, value) in state.Scan(StateKeys.Reading(intervalStart, "")))
        {
            var reading = MeterReading.Parser.ParseFrom(value.AsSpan());
            var position = meters.Get(reading.Meter);
            position.MeteredWh = checked((long)reading.ExportWh - (long)reading.ImportWh);
            reported.Add(position);
            record.Readings++;
        }
        var silent = meters.All.Where(m => m.MeteredWh is null).ToArray();
        Array.Sort(silent, (a, b) => string.CompareOrdinal(a.Meter, b.Meter));
        var ordered = new List<MeterPosition>(reported.Count + silent.Length);
        int i = 0, j = 0;
        while (i < reported.Count && j < silent.Length)
            ordered.Add(string.CompareOrdinal(reported[i].Meter, silent[j].Meter) < 0 ? reported[i++] : silent[j++]);
        for (; i < reported.Count; i++) ordered.Add(reported[i]);
        for (; j < silent.Length; j++) ordered.Add(silent[j]);
        return ordered;
    }

    private static void SettleImbalances(SettlementBook book, List<MeterPosition> meters, PolrPrice band, IntervalSettlement record)
    {
        record.Meters = (uint)meters.Count;
        var shortfalls = new List<(Address Owner, ulong Wh)>();
        var surpluses = new List<(Address Owner, ulong Wh)>();
        foreach (var meter in meters)
        {
            if (meter.MeteredWh is null) record.MissingReadings++;
            long imbalance = checked((meter.MeteredWh ?? 0) - meter.ContractedWh);
            record.ImbalanceWh = checked(record.ImbalanceWh + imbalance);
            if (imbalance == 0) continue;
            var owner = meter.Owner ?? Address.FromBytes((book.Context.Meter(meter.Meter)
                ?? throw new InvalidOperationException($"meter {meter.Meter} has a reading but is not registered")).Owner.Span);
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
