using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Market;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>
/// Who may sign each kind of transaction — the one definition, which the mempool runs at the door against the last
/// committed state (as CometBFT's CheckTx does) and block execution runs again against the state at its height.
/// Authority kinds need the authority genesis names; contracts, offers, takes and cancellations need each named party
/// (an admitted participant that may trade) or an active aggregator it delegated to, and no one else; a delegation
/// needs the member (or, to end one, either the member or the aggregator); a meter reading needs the meter's device key and must lie within what the meter can measure; a
/// state-root attestation needs a validator in force at its height, and evidence a validator in force at the block.
/// </summary>
internal static class SignerRules
{
    /// <summary>An EnergyContract's seller and buyer, each checked as an admitted, active party that may trade (DsoRules).</summary>
    internal readonly record struct ContractParties(AccountState Seller, AccountState Buyer);

    /// <summary>
    /// Refuses a transaction its signers may not send. For an EnergyContract it returns the seller's and buyer's accounts
    /// it checked as trading parties, so execution, which writes nothing in between but nonces, need not read them again.
    /// </summary>
    public static ContractParties? Require(LedgerContext context, VerifiedTransaction tx)
    {
        var p = context.Parameters;
        var e = tx.Envelope;
        switch (e.BodyCase)
        {
            case Transaction.BodyOneofCase.EnergyContract:
                var terms = e.EnergyContract;
                var seller = TradingParty(context, terms.Seller, "seller");
                var buyer = TradingParty(context, terms.Buyer, "buyer");
                Parties(context, tx, seller, buyer);
                return new ContractParties(seller.Account, buyer.Account);
            case Transaction.BodyOneofCase.Offer:
                Parties(context, tx, TradingParty(context, e.Offer.Maker, "maker"));
                break;
            case Transaction.BodyOneofCase.Take:
                Parties(context, tx, TradingParty(context, e.Take.Taker, "taker"));
                break;
            case Transaction.BodyOneofCase.CancelOffer:
                // Withdrawing an offer needs no right to trade: a suspended maker may still cancel.
                var maker = Authority.Address(e.CancelOffer.Maker, "maker");
                Parties(context, tx, (context.RequireAccount(maker, "maker"), "maker"));
                break;
            case Transaction.BodyOneofCase.MeterReading:
                Metering.RequireDeviceAndRange(context, tx, e.MeterReading);
                break;
            case Transaction.BodyOneofCase.Delegate:
                var member = Authority.Address(e.Delegate.Member, "member");
                var aggregator = Authority.Address(e.Delegate.Aggregator, "aggregator");
                // Either side may end a delegation: the member withdraws its consent, or the aggregator stops acting for it.
                if (!e.Delegate.Active && tx.Signers.Count == 1 && tx.Signers[0] == aggregator)
                {
                    context.RequireAccount(aggregator, "aggregator");
                    break;
                }
                Authority.RequireSigner(tx, member, e.Delegate.Active ? "member" : "member (or, to end it, the aggregator)");
                if (e.Delegate.Active) context.RequireActiveParticipant(member, "member");
                else context.RequireAccount(member, "member");
                break;
            case Transaction.BodyOneofCase.Admit or Transaction.BodyOneofCase.Suspend or Transaction.BodyOneofCase.Deposit
                or Transaction.BodyOneofCase.Withdraw or Transaction.BodyOneofCase.SetDmoFees:
                Authority.RequireSigner(tx, p.MarketOperator, "market operator");
                break;
            case Transaction.BodyOneofCase.RegisterMeter or Transaction.BodyOneofCase.SetGridFees or Transaction.BodyOneofCase.SetPolrTariff
                or Transaction.BodyOneofCase.UpdateGridModel:
                Authority.RequireSigner(tx, p.Utility, "utility");
                break;
            case Transaction.BodyOneofCase.SetBaseline:
                Authority.RequireSigner(tx, p.Planner, "planner");
                break;
            case Transaction.BodyOneofCase.SetValidatorSet:
                Authority.RequireSigner(tx, p.ValidatorAuthority, "validator authority");
                break;
            case Transaction.BodyOneofCase.AttestStateRoot:
                SnapshotCertification.RequireValidator(context, tx, e.AttestStateRoot);
                break;
            case Transaction.BodyOneofCase.Evidence:
                EquivocationEvidence.RequireSubmitter(context, tx);
                break;
            default:
                throw new LedgerRejection(ReasonCodes.Malformed, $"unknown transaction body {e.BodyCase}");
        }
        return null;
    }

    private static (AccountState Account, string Side) TradingParty(LedgerContext context, Google.Protobuf.ByteString address, string side)
        => (DsoRules.RequireTradingParty(context, Authority.Address(address, side), side), side);

    /// <summary>
    /// Every party consented (BAD_SIGNATURE when one did not), and every signature is by a party or an aggregator one
    /// of them delegated to (NOT_A_PARTY otherwise: a stranger's signature has no business in the envelope).
    /// </summary>
    private static void Parties(LedgerContext context, VerifiedTransaction tx, params (AccountState Account, string Side)[] parties)
    {
        foreach (var (account, side) in parties) DsoRules.RequireConsent(context, account, tx.Signers, side);
        // Loops rather than LINQ: the door runs this for every submission, and the lambdas allocated on each.
        for (int i = 0; i < tx.Signers.Count; i++)
        {
            var signer = tx.Signers[i];
            if (IsPartyOrAggregator(parties, signer)) continue;
            var named = string.Join(", ", parties.Select(party => $"the {party.Side} {Address.FromBytes(party.Account.Address.Span)}"));
            throw new LedgerRejection(ReasonCodes.NotAParty,
                $"{tx.Kind} is signed by {signer}, who is neither {named} nor an aggregator {(parties.Length == 1 ? "it" : "either")} delegated to");
        }
    }

    private static bool IsPartyOrAggregator((AccountState Account, string Side)[] parties, Address signer)
    {
        foreach (var (account, _) in parties)
        {
            if (account.Address.Span.SequenceEqual(signer.Bytes)) return true;
            for (int j = 0; j < account.Aggregators.Count; j++) // RepeatedField's enumerator is a class
                if (account.Aggregators[j].Span.SequenceEqual(signer.Bytes)) return true;
        }
        return false;
    }
}
