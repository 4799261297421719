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
/// first and then surpluses, each in meter id order, is bought from or sold to the POLR at the interval's prices
/// (<see cref="ImbalanceSettler"/>); (3) POLR receivables are paid. Shortfalls go first so that what they pay the
/// utility is there to pay the surpluses. Each stage takes one step per item and resumes in the next block where
/// the step budget ran out; the interval's record is written when the last stage is done.
/// </summary>
internal static class IntervalSettler
{
    public const string Kind = "Interval";

    /// <summary>Begins settling the interval at the cursor: prices fixed, totals empty, contracts first.</summary>
    public static void Start(SettlementRun run)
    {
        var cursor = run.Cursor;
        ulong start = cursor.NextInterval;
        var band = PolrPricing.BandAt(FeeSchedule.PolrAt(run.Context.State, start), start);
        cursor.Interval = new IntervalSettlement { IntervalStart = start, SellPerKwh = band.SellPerKwh, BuyPerKwh = band.BuyPerKwh };
        cursor.Stage = SettlementStage.IntervalContracts;
        cursor.ResumeKey = StateKeys.ContractByIntervalEndingAfter(start);
        cursor.PositionsStored = false;
        run.Positions.Clear();
        run.Book.BeginEvent(start, Kind);
        // The interval's contract-start marker only led settlement here (IntervalWork); the cursor holds the interval
        // from now on, so the marker goes — state would otherwise keep one per interval in which a contract ever started.
        ForgetContractStart(run.Context.State, start);
    }

    /// <summary>Deletes the interval's contract-start marker, if it has one (an absent key is not written).</summary>
    public static void ForgetContractStart(StateOverlay state, ulong intervalStart)
    {
        var marker = SettlementKeys.ContractStart(intervalStart);
        if (state.Get(marker) is not null) state.Delete(marker);
    }

    /// <summary>
    /// Releases the instalments of the contracts running in the interval, one step per index entry read, and books each
    /// meter's contracted net export. The index is keyed by each contract's end, so one range scan from "ends after
    /// this interval's start" yields every contract still running and skips every finished one; it stops where no
    /// contract can reach back to this interval (ends more than maxIntervalCount intervals later). Its entries carry
    /// the terms and amounts settlement needs (ContractDue), so no contract record is read. Entries stay after the last
    /// interval: deleting them cost a state change (and its hashing) per contract per settlement.
    /// </summary>
    public static void Contracts(SettlementRun run)
    {
        var context = run.Context;
        var cursor = run.Cursor;
        var record = cursor.Interval;
        ulong start = record.IntervalStart, length = context.Parameters.IntervalSeconds;
        Int128 reach = (Int128)start + (Int128)context.Parameters.MaxIntervalCount * length;
        string? beyond = reach < ulong.MaxValue ? StateKeys.ContractByIntervalEndingAfter((ulong)reach) : null;
        var parties = new Parties(run.Book);
        Span<char> meter = stackalloc char[64];
        string? last = null;
        bool done = true;
        foreach (var (key, value) in context.State.Scan(StateKeys.ContractByIntervalPrefix, cursor.ResumeKey))
        {
            if (beyond is not null && string.CompareOrdinal(key, beyond) >= 0) break;
            if (!run.Step())
            {
                done = false;
                break;
            }
            last = key;
            var contract = ContractDueReader.Read(value);
            if (contract.IntervalStart > start) continue;
            // Contracts commit before gate closure and intervals settle in order, so interval k is always the next one
            // of this contract; the contract record itself is not rewritten (see SettlementProgress).
            uint k = (uint)((start - contract.IntervalStart) / length);
            var seller = parties.Of(contract.Seller);
            var buyer = parties.Of(contract.Buyer);
            // A contract's meters belong to its parties (checked at commit; a meter's owner never changes).
            var sold = run.Positions.Get(Ascii(contract.SellerMeter, meter));
            sold.Owner ??= seller.Address;
            sold.ContractedWh += contract.WhPerInterval;
            var bought = run.Positions.Get(Ascii(contract.BuyerMeter, meter));
            bought.Owner ??= buyer.Address;
            bought.ContractedWh -= contract.WhPerInterval;
            SettleInstalment(parties, seller, sold, buyer, bought, ContractInstalment.Of(contract, k), record);
            cursor.RunningUntil = Math.Max(cursor.RunningUntil, contract.IntervalStart + contract.IntervalCount * length);
        }
        if (last is not null) cursor.ResumeKey = last + "\0";
        if (!done) return;
        // Positions gathered in earlier blocks are in state; this run's join them there, and the passes read state.
        if (cursor.PositionsStored) run.Positions.Store(context.State, "");
        Next(cursor, SettlementStage.IntervalShortfalls);
    }

    /// <summary>Pays POLR receivables as far as the utility's balance goes, then writes the interval's record.</summary>
    public static void Receivables(SettlementRun run)
    {
        var cursor = run.Cursor;
        string resume = cursor.ResumeKey;
        bool done = run.Book.PayReceivables(ref resume, run.Left, run.Step);
        cursor.ResumeKey = resume;
        if (!done || !run.Step()) return;
        var record = cursor.Interval;
        record.Height = run.Context.Height;
        run.Book.EndEvent();
        run.Context.State.Set(SettlementKeys.Interval(record.IntervalStart), record.ToByteArray());
        Finish(cursor, run.Context.Parameters.IntervalSeconds);
    }

    /// <summary>Ends the interval in progress (settled, or abandoned after a failure): the cursor moves to the next one.</summary>
    public static void Finish(SettlementCursor cursor, ulong intervalSeconds)
    {
        cursor.NextInterval += intervalSeconds;
        cursor.Interval = null;
        cursor.PositionsStored = false;
        Next(cursor, SettlementStage.SettlementIdle);
    }

    /// <summary>Moves the cursor to <paramref name="stage"/> of the event in progress, starting its scan from the beginning.</summary>
    public static void Next(SettlementCursor cursor, SettlementStage stage)
    {
        cursor.Stage = stage;
        cursor.ResumeKey = "";
    }

    /// <summary>A stored meter id as characters, in <paramref name="buffer"/> (ids are at most 64 ASCII characters).</summary>
    private static ReadOnlySpan<char> Ascii(ReadOnlySpan<byte> id, Span<char> buffer)
    {
        if (id.Length is 0 || id.Length > buffer.Length) throw new InvalidDataException($"stored meter id of {id.Length} bytes is outside 1–{buffer.Length}");
        for (int i = 0; i < id.Length; i++) buffer[i] = (char)id[i];
        return buffer[..id.Length];
    }

    /// <summary>
    /// Moves one instalment between the accounts. What the parties' statement lines will show is added to their meters'
    /// positions and reaches the lines in the shortfall pass, once per meter: a line is then written once per interval,
    /// not again in every block the interval's contracts span. The DMO's and the utility's fee lines are kept here.
    /// </summary>
    private static void SettleInstalment(Parties parties, Party seller, MeterPosition sold, Party buyer, MeterPosition bought, ContractInstalment due, IntervalSettlement record)
    {
        buyer.Account.Escrow = checked(buyer.Account.Escrow - due.EscrowReleased);
        bought.ContractPaid = Saturating.Add(bought.ContractPaid, due.Payment);
        bought.DmoFeePaid = Saturating.Add(bought.DmoFeePaid, due.DmoFeeBuyer);
        bought.GridFeePaid = Saturating.Add(bought.GridFeePaid, due.GridFee);

        // The seller's DMO fee comes out of its payout; if a tiny price leaves the payout short of the fee, its free
        // balance covers the rest, and what even that cannot cover is written off (recorded, never a negative balance).
        var account = seller.Account;
        account.Balance = checked(account.Balance + due.Payment);
        ulong sellerFee = Math.Min(account.Balance, due.DmoFeeSeller);
        account.Balance -= sellerFee;
        sold.ContractReceived = Saturating.Add(sold.ContractReceived, due.Payment);
        sold.DmoFeePaid = Saturating.Add(sold.DmoFeePaid, sellerFee);
        sold.Uncollected = Saturating.Add(sold.Uncollected, due.DmoFeeSeller - sellerFee);

        var (dmo, dmoLine) = (parties.MarketOperator.Account, parties.MarketOperatorLine);
        dmo.Balance = checked(dmo.Balance + due.DmoFeeBuyer + sellerFee);
        dmoLine.FeeIncome = Saturating.Add(dmoLine.FeeIncome, due.DmoFeeBuyer + sellerFee);
        var (utility, utilityLine) = (parties.Utility.Account, parties.UtilityLine);
        utility.Balance = checked(utility.Balance + due.GridFee);
        utilityLine.FeeIncome = Saturating.Add(utilityLine.FeeIncome, due.GridFee);

        record.Contracts++;
        record.ContractPayments = Saturating.Add(record.ContractPayments, due.Payment);
        record.DmoFeesBuyer = Saturating.Add(record.DmoFeesBuyer, due.DmoFeeBuyer);
        record.DmoFeesSeller = Saturating.Add(record.DmoFeesSeller, sellerFee);
        record.GridFees = Saturating.Add(record.GridFees, due.GridFee);
        record.EscrowReleased = Saturating.Add(record.EscrowReleased, due.EscrowReleased);
        record.Uncollected = Saturating.Add(record.Uncollected, due.DmoFeeSeller - sellerFee);
    }

    /// <summary>A contract party in this interval: its account, looked up once.</summary>
    private sealed record Party(Address Address, AccountState Account);

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
        public StatementLine MarketOperatorLine => book.Line(MarketOperator.Address);
        public StatementLine UtilityLine => book.Line(Utility.Address);

        private Party Create(Address address) => new(address, book.Account(address));
    }
}
