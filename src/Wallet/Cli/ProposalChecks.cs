using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// What the node would refuse a contract for, asked before anyone signs (<c>contract propose</c> without
/// <c>--offline</c>): the start aligned to the interval and before its gate closure, both parties admitted and
/// trading, both meters registered to them, and the buyer's free balance covering the escrow the node would lock
/// (QuoteContract: payment and fees at today's rates). Each refusal carries the reason code the node would give.
/// Grid limits are not among them: they depend on everything committed until the contract is.
/// </summary>
internal static class ProposalChecks
{
    public static async Task RequireAcceptableAsync(NodeClient node, Market market, EnergyContract terms, ulong now)
    {
        if (!Interval.IsAligned(terms.IntervalStart, market.IntervalSeconds))
            throw Refused(ReasonCodes.InvalidArgument, "--start " + Interval.Misaligned(terms.IntervalStart, market.IntervalSeconds));
        ulong gate = Interval.GateClosure(terms.IntervalStart, market.GateClosureSeconds);
        if (now >= gate)
            throw Refused(ReasonCodes.GateClosed, $"gate closure for interval {IsoTime.Format(terms.IntervalStart)} was at {IsoTime.Format(gate)} ({market.GateClosureSeconds} s before it); it is {IsoTime.Format(now)}");
        var seller = await PartyAsync(node, terms.Seller, "seller", market.Currency);
        var buyer = await PartyAsync(node, terms.Buyer, "buyer", market.Currency);
        await RequireOwnMeterAsync(node, terms.SellerMeter, seller, "seller");
        await RequireOwnMeterAsync(node, terms.BuyerMeter, buyer, "buyer");
        var quote = await node.QuoteAsync(terms);
        var currency = market.Currency;
        if (buyer.Balance < quote.BuyerEscrow)
            throw Refused(ReasonCodes.InsufficientFunds,
                $"buyer {Address.FromBytes(buyer.Address.Span)} has {currency.WithCode(buyer.Balance)} free, the contract needs {currency.WithCode(quote.BuyerEscrow)} in escrow " +
                $"(payment {currency.Format(quote.Payment)} + DMO fee {currency.Format(quote.DmoFeeBuyer)} + grid fee {currency.Format(quote.GridFee)} at today's rates)");
    }

    private static async Task<AccountState> PartyAsync(NodeClient node, Google.Protobuf.ByteString bytes, string side, Currency currency)
    {
        var address = Address.FromBytes(bytes.Span);
        AccountState account;
        try { account = await node.AccountAsync(address); }
        catch (WalletException e) when (e.Reason == ApiReasons.UnknownAccount.Code)
        { throw Refused(ReasonCodes.NotAdmitted, $"{side} {address} is not an admitted participant"); }
        if (!account.Admitted && !Roles.IsParticipantRole(account.Role) && account.Role.Length > 0)
            return account; // an authority (the utility may trade under IndependentDmo with utilityMayTrade): the node decides
        if (!account.Admitted) throw Refused(ReasonCodes.NotAdmitted, $"{side} {address} is not admitted");
        if (account.Suspended) throw Refused(ReasonCodes.Suspended, $"{side} {address} is suspended: {account.SuspensionReason}");
        if (account.Debt > 0)
            throw Refused(ReasonCodes.InDebt, $"{side} {address} owes {currency.WithCode(account.Debt)} to the POLR; a deposit must clear the debt before new contracts");
        return account;
    }

    private static async Task RequireOwnMeterAsync(NodeClient node, string meterId, AccountState owner, string side)
    {
        MeterState meter;
        try { meter = await node.MeterAsync(meterId); }
        catch (WalletException e) when (e.Reason == ApiReasons.UnknownMeter.Code)
        { throw Refused(ReasonCodes.UnknownMeter, $"{side} meter '{meterId}' is not registered"); }
        if (!meter.Owner.Span.SequenceEqual(owner.Address.Span))
            throw Refused(ReasonCodes.MeterNotOwned, $"{side} meter '{meterId}' belongs to {Address.FromBytes(meter.Owner.Span)}, not {Address.FromBytes(owner.Address.Span)}");
    }

    private static WalletException Refused(string code, string message) => new(ExitCode.Rejected, code, message + " (checked against the node before signing; --offline skips the checks)");
}
