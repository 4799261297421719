using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Market;

/// <summary>
/// The trading rules of the DSO models: the market operator never trades; under Model 5 (UtilityDmo) the utility
/// is the market operator and may not trade; under Model 6 it trades only with UtilityMayTrade; planner and
/// regulator never trade; everyone else must be an admitted, unsuspended participant not in debt to the POLR.
/// </summary>
public static class DsoRules
{
    /// <summary>The account of a contract party, or a rejection naming the rule it breaks.</summary>
    public static AccountState RequireTradingParty(LedgerContext context, Address party, string side)
    {
        var p = context.Parameters;
        if (party == p.MarketOperator)
            throw new LedgerRejection(ReasonCodes.OperatorMayNotTrade, $"{side} {party} is the market operator (DMO), which may never be a party to a trade");
        if (party == p.Utility)
        {
            if (p.DsoModel == DsoModel.UtilityDmo)
                throw new LedgerRejection(ReasonCodes.OperatorMayNotTrade, $"{side} {party} is the utility, which runs the market under UtilityDmo (Model 5) and may not trade");
            if (!p.UtilityMayTrade)
                throw new LedgerRejection(ReasonCodes.UtilityMayNotTrade, $"{side} {party} is the utility, and this chain's genesis does not set utilityMayTrade (IndependentDmo, Model 6)");
            return context.RequireAccount(party, side);
        }
        if (party == p.Planner || party == p.Regulator)
            throw new LedgerRejection(ReasonCodes.NotAdmitted, $"{side} {party} is the {(party == p.Planner ? "planner" : "regulator")}, an authority account that does not trade");
        var account = context.RequireActiveParticipant(party, side);
        if (account.Debt > 0)
            throw new LedgerRejection(ReasonCodes.InDebt, $"{side} {party} owes {account.Debt} micro-units to the POLR; a deposit must clear the debt before new contracts");
        return account;
    }

    /// <summary>
    /// A party's consent: its own signature, or one from an admitted, unsuspended aggregator it delegated to.
    /// </summary>
    public static void RequireConsent(LedgerContext context, AccountState party, IReadOnlyList<Address> signers, string side)
    {
        var address = Address.FromBytes(party.Address.Span);
        if (signers.Contains(address)) return;
        foreach (var signer in signers)
        {
            if (!party.Aggregators.Any(a => a.Span.SequenceEqual(signer.Bytes))) continue;
            var aggregator = context.Account(signer);
            if (aggregator is { Admitted: true, Suspended: false, Role: Roles.Aggregator }) return;
        }
        throw new LedgerRejection(ReasonCodes.BadSignature,
            $"{side} {address} did not sign (signers: {string.Join(", ", signers)}), nor did an active aggregator it delegated to");
    }
}
