using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// A party's statement per contract (Settlement/GetStatement with contract lines): for every settled interval of a
/// contract, the instalment settlement released, seen from the seller's or the buyer's side. Computed from the
/// contract record and the settlement cursor with the instalment rule settlement itself uses, so the lines of an
/// interval sum to what its statement line shows for contracts.
/// </summary>
public static class ContractLines
{
    /// <summary>The lines of <paramref name="contract"/> for <paramref name="party"/> whose interval starts in [from, to) (to 0: no end).</summary>
    public static IEnumerable<ContractLine> Of(IStateReader state, Address party, ContractState contract, ulong intervalSeconds, ulong from, ulong to)
    {
        bool sell = contract.Terms.Seller.Span.SequenceEqual(party.Bytes);
        uint settled = SettlementProgress.SettledIntervals(state, contract, intervalSeconds);
        for (uint k = 0; k < settled; k++)
        {
            ulong time = contract.Terms.IntervalStart + k * intervalSeconds;
            if (time < from) continue;
            if (to != 0 && time >= to) yield break;
            var instalment = ContractInstalment.Of(contract, k);
            yield return new ContractLine
            {
                Time = time, ContractId = contract.Id, Sell = sell, Wh = contract.Terms.WhPerInterval,
                ContractReceived = sell ? instalment.Payment : 0, ContractPaid = sell ? 0 : instalment.Payment,
                DmoFeePaid = sell ? instalment.DmoFeeSeller : instalment.DmoFeeBuyer, GridFeePaid = sell ? 0 : instalment.GridFee,
                CounterpartyMeter = sell ? contract.Terms.BuyerMeter : contract.Terms.SellerMeter,
            };
        }
    }

    /// <summary>Every contract of <paramref name="party"/>, in commit order (its party index).</summary>
    public static IEnumerable<ContractState> ContractsOf(IStateReader state, Address party)
    {
        foreach (var (_, id) in state.Scan(StateKeys.ContractByPartyScan(party)))
            if (id.Length == 32 && state.Get(StateKeys.Contract(Hash32.FromBytes(id))) is { } bytes) yield return ContractState.Parser.ParseFrom(bytes.AsSpan());
    }

    /// <summary>Whether <paramref name="party"/> is the seller or the buyer of <paramref name="contract"/>.</summary>
    public static bool IsParty(ContractState contract, Address party)
        => contract.Terms.Seller.Span.SequenceEqual(party.Bytes) || contract.Terms.Buyer.Span.SequenceEqual(party.Bytes);
}
