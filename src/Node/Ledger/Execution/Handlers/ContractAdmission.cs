using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>
/// The contract-admission pipeline, after the signers (<see cref="SignerRules"/>: each party or its aggregator, and no
/// one else): shape → horizon and gate → replay → DSO rules → meters → grid check → pricing → escrow → grid record.
/// Bilateral contracts, offers, takes (which create contracts) and cancellations all pass through it. One instance per
/// block, over that block's grid stage.
/// </summary>
internal sealed class ContractAdmission(IGridBlock grid)
{
    /// <summary>
    /// A bilateral contract. <paramref name="parties"/> are the accounts <see cref="SignerRules"/> checked as trading
    /// parties against this same state (only nonces were written since); null reads and checks them here.
    /// </summary>
    public void EnergyContract(LedgerContext context, VerifiedTransaction tx, EnergyContract terms, SignerRules.ContractParties? parties = null)
    {
        var checkedTerms = CheckTerms(context, terms, tx.PayloadId, parties);
        Commit(context, tx.PayloadId, terms, checkedTerms, offerId: null);
    }

    public void Offer(LedgerContext context, VerifiedTransaction tx, Offer offer)
    {
        var maker = Authority.Address(offer.Maker, "maker");
        CheckSchedule(context, offer.IntervalStart, offer.IntervalCount, offer.WhPerInterval, offer.ValidUntil, "offer");
        context.MarkUsed(tx.PayloadId, "offer");
        DsoRules.RequireTradingParty(context, maker, "maker");
        RequireOwnMeter(context, offer.Meter, maker, "maker");
        context.Put(new OfferState { Id = ByteString.CopyFrom(tx.PayloadId.Bytes), Terms = offer, RemainingWhPerInterval = offer.WhPerInterval, Height = context.Height });
    }

    public void Take(LedgerContext context, VerifiedTransaction tx, Take take)
    {
        var offerId = Authority.Hash(take.OfferId, "offerId");
        var offer = context.Offer(offerId) ?? throw new LedgerRejection(ReasonCodes.NotFound, $"offer {offerId} does not exist");
        if (offer.Cancelled) throw new LedgerRejection(ReasonCodes.OfferClosed, $"offer {offerId} was cancelled");
        context.RequireNotExpired(offer.Terms.ValidUntil, $"offer {offerId}");
        if (take.WhPerInterval == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, "take whPerInterval must be > 0");
        if (take.WhPerInterval > offer.RemainingWhPerInterval)
            throw new LedgerRejection(ReasonCodes.OfferExceeded, $"take of {take.WhPerInterval} Wh per interval exceeds the {offer.RemainingWhPerInterval} Wh left on offer {offerId}");
        var taker = Authority.Address(take.Taker, "taker");
        var terms = new EnergyContract
        {
            Seller = offer.Terms.Sell ? offer.Terms.Maker : take.Taker,
            Buyer = offer.Terms.Sell ? take.Taker : offer.Terms.Maker,
            SellerMeter = offer.Terms.Sell ? offer.Terms.Meter : take.Meter,
            BuyerMeter = offer.Terms.Sell ? take.Meter : offer.Terms.Meter,
            IntervalStart = offer.Terms.IntervalStart, IntervalCount = offer.Terms.IntervalCount,
            WhPerInterval = take.WhPerInterval, PricePerKwh = offer.Terms.PricePerKwh,
            Nonce = take.Nonce, ValidUntil = take.ValidUntil,
        };
        // The maker consented by signing the offer; the taker (or its aggregator) signed the take (SignerRules).
        var checkedTerms = CheckTerms(context, terms, tx.PayloadId);
        Commit(context, tx.PayloadId, terms, checkedTerms, offerId);
        offer.RemainingWhPerInterval -= take.WhPerInterval;
        context.Put(offer);
    }

    public void CancelOffer(LedgerContext context, VerifiedTransaction tx, CancelOffer cancel)
    {
        var offerId = Authority.Hash(cancel.OfferId, "offerId");
        var maker = Authority.Address(cancel.Maker, "maker");
        context.MarkUsed(tx.PayloadId, "CancelOffer");
        var offer = context.Offer(offerId) ?? throw new LedgerRejection(ReasonCodes.NotFound, $"offer {offerId} does not exist");
        if (!offer.Terms.Maker.Span.SequenceEqual(maker.Bytes))
            throw new LedgerRejection(ReasonCodes.Unauthorized, $"offer {offerId} was made by {Address.FromBytes(offer.Terms.Maker.Span)}, not {maker}");
        if (offer.Cancelled) throw new LedgerRejection(ReasonCodes.OfferClosed, $"offer {offerId} is already cancelled");
        offer.Cancelled = true;
        context.Put(offer);
    }

    /// <summary>What <see cref="CheckTerms"/> read and the commit uses: nothing writes state between them, so no second read and parse.</summary>
    private readonly record struct CheckedTerms(AccountState Buyer, MeterState SellerMeter, MeterState BuyerMeter, string ContractKey);

    private static CheckedTerms CheckTerms(LedgerContext context, EnergyContract terms, Hash32 id, SignerRules.ContractParties? parties = null)
    {
        var sellerAddress = Authority.Address(terms.Seller, "seller");
        var buyerAddress = Authority.Address(terms.Buyer, "buyer");
        if (sellerAddress == buyerAddress) throw new LedgerRejection(ReasonCodes.SelfTrade, $"seller and buyer are the same account {sellerAddress}");
        CheckSchedule(context, terms.IntervalStart, terms.IntervalCount, terms.WhPerInterval, terms.ValidUntil, "contract");
        // The contract's own record is its replay guard: no separate used/ marker (a read and a write per contract). Its key
        // is built once, for this read and the commit's write; only its presence matters here, so nothing is parsed.
        var contractKey = StateKeys.Contract(id);
        if (context.State.Get(contractKey) is not null)
            throw new LedgerRejection(ReasonCodes.NonceReused, $"contract {id} has already been committed (change the nonce to submit a new one)");
        if (parties is null) DsoRules.RequireTradingParty(context, sellerAddress, "seller");
        var buyer = parties?.Buyer ?? DsoRules.RequireTradingParty(context, buyerAddress, "buyer");
        var sellerMeter = RequireOwnMeter(context, terms.SellerMeter, sellerAddress, "seller");
        var buyerMeter = RequireOwnMeter(context, terms.BuyerMeter, buyerAddress, "buyer");
        return new CheckedTerms(buyer, sellerMeter, buyerMeter, contractKey);
    }

    private static void CheckSchedule(LedgerContext context, ulong intervalStart, uint intervalCount, ulong whPerInterval, ulong validUntil, string what)
    {
        var p = context.Parameters;
        if (!Interval.IsAligned(intervalStart, p.IntervalSeconds))
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{what} intervalStart {Interval.Misaligned(intervalStart, p.IntervalSeconds)}");
        if (intervalCount == 0 || intervalCount > p.MaxIntervalCount)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{what} intervalCount must lie in [1, {p.MaxIntervalCount}], got {intervalCount}");
        if (whPerInterval == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{what} whPerInterval must be > 0");
        context.RequireNotExpired(validUntil, what);
        // A horizon, so a start in year 9999 (or in milliseconds by mistake) cannot lock the buyer's escrow for ever.
        if (intervalStart > context.TimeSeconds && intervalStart - context.TimeSeconds > p.MaxStartAheadSeconds)
            throw new LedgerRejection(ReasonCodes.StartTooFar,
                $"{what} intervalStart {IsoTime.Format(intervalStart)} is {intervalStart - context.TimeSeconds} s after block time {IsoTime.Format(context.TimeSeconds)}; " +
                $"the limit is maxStartAheadSeconds = {p.MaxStartAheadSeconds} s ({p.MaxStartAheadSeconds / 86_400} days)");
        // Gate closure: the first interval's gate closes gateClosureSeconds before it starts.
        ulong gate = Interval.GateClosure(intervalStart, p.GateClosureSeconds);
        if (context.TimeSeconds >= gate)
            throw new LedgerRejection(ReasonCodes.GateClosed, $"gate closure for interval {IsoTime.Format(intervalStart)} was at {IsoTime.Format(gate)}, block time is {IsoTime.Format(context.TimeSeconds)}");
    }

    private static MeterState RequireOwnMeter(LedgerContext context, string meterId, Address owner, string side)
    {
        var meter = context.Meter(meterId) ?? throw new LedgerRejection(ReasonCodes.UnknownMeter, $"{side} meter '{meterId}' is not registered");
        if (!meter.Owner.Span.SequenceEqual(owner.Bytes))
            throw new LedgerRejection(ReasonCodes.MeterNotOwned, $"{side} meter '{meterId}' belongs to {Address.FromBytes(meter.Owner.Span)}, not {owner}");
        return meter;
    }

    private void Commit(LedgerContext context, Hash32 id, EnergyContract terms, CheckedTerms checkedTerms, Hash32? offerId)
    {
        // The grid check writes nothing: a contract refused below (funds, pricing, an overflow) must leave no trace in
        // state or in any flow book; its flows are recorded last, once everything else has passed.
        var plan = grid.Check(context, terms, checkedTerms.SellerMeter, checkedTerms.BuyerMeter);
        var buyer = checkedTerms.Buyer;
        var level = plan.Level;
        var costs = ContractPricing.Price(FeeSchedule.DmoAt(context.State, terms.IntervalStart), FeeSchedule.GridAt(context.State, terms.IntervalStart),
            level, terms.WhPerInterval, terms.IntervalCount, terms.PricePerKwh);
        var buyerAddress = Address.FromBytes(buyer.Address.Span);
        if (buyer.Balance < costs.BuyerEscrow)
            throw new LedgerRejection(ReasonCodes.InsufficientFunds,
                $"buyer {buyerAddress} has {buyer.Balance} micro-units free, the contract needs {costs.BuyerEscrow} in escrow (payment {costs.Payment} + DMO fee {costs.DmoFeeBuyer} + grid fee {costs.GridFee})");
        // Balance and escrow are each 64-bit, their sum is not bounded: deposits refill a balance whose funds sit in escrow.
        if (buyer.Escrow > ulong.MaxValue - costs.BuyerEscrow)
            throw new LedgerRejection(ReasonCodes.InvalidArgument,
                $"buyer {buyerAddress} holds {buyer.Escrow} micro-units in escrow; {costs.BuyerEscrow} more exceeds the largest amount the ledger holds ({ulong.MaxValue})");
        buyer.Balance -= costs.BuyerEscrow;
        buyer.Escrow += costs.BuyerEscrow;
        context.Put(buyer);
        var contract = new ContractState
        {
            Id = ByteString.CopyFrom(id.Bytes), Terms = terms, Height = context.Height, TimeMs = context.TimeMs,
            Payment = costs.Payment, DmoFeeBuyer = costs.DmoFeeBuyer, DmoFeeSeller = costs.DmoFeeSeller, GridFee = costs.GridFee,
            PathLevel = level.ToString(), OfferId = offerId is { } o ? ByteString.CopyFrom(o.Bytes) : ByteString.Empty,
        };
        context.State.Set(checkedTerms.ContractKey, contract.ToByteArray()); // LedgerContext.Put's key: contract.Id is id
        // Index entries in commit order (see StateKeys): they append instead of landing on random store pages.
        if (context.Position < 0) throw new InvalidOperationException("a contract commits only inside a transaction (LedgerContext.Position is -1)");
        byte[] idValue = id.ToArray();
        context.State.Set(StateKeys.ContractByParty(Address.FromBytes(terms.Seller.Span), context.Height, context.Position), idValue);
        context.State.Set(StateKeys.ContractByParty(buyerAddress, context.Height, context.Position), idValue);
        // Settlement finds the next interval with work by seeking this marker, not by stepping through idle intervals.
        var starts = SettlementKeys.ContractStart(terms.IntervalStart);
        if (context.State.Get(starts) is null) context.State.Set(starts, []);
        ulong end = LedgerContext.IntervalsEnd(terms.IntervalStart, terms.IntervalCount, context.Parameters.IntervalSeconds, "contract intervalStart");
        context.State.Set(StateKeys.ContractByInterval(end, context.Height, context.Position), new ContractDue
        {
            Id = contract.Id, Seller = terms.Seller, Buyer = terms.Buyer, SellerMeter = terms.SellerMeter, BuyerMeter = terms.BuyerMeter,
            IntervalStart = terms.IntervalStart, IntervalCount = terms.IntervalCount, WhPerInterval = terms.WhPerInterval,
            Payment = costs.Payment, DmoFeeBuyer = costs.DmoFeeBuyer, DmoFeeSeller = costs.DmoFeeSeller, GridFee = costs.GridFee,
        }.ToByteArray());
        grid.Record(context, id, plan);
    }
}
