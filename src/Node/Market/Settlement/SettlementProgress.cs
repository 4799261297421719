using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// How far settlement has got, derived rather than stored per contract: intervals settle strictly in order behind
/// the cursor, so a contract's settled intervals are those that start before the cursor's next interval. Storing a
/// counter in every contract meant rewriting 200,000 records (and hashing them) each interval.
/// </summary>
public static class SettlementProgress
{
    /// <summary>The start of the next interval to settle; 0 before the first settlement round.</summary>
    public static ulong NextInterval(IStateReader state)
        => state.Get(SettlementKeys.Cursor) is { } bytes ? SettlementCursor.Parser.ParseFrom(bytes.AsSpan()).NextInterval : 0;

    /// <summary>How many of the contract's intervals have settled.</summary>
    public static uint SettledIntervals(IStateReader state, ContractState contract, ulong intervalSeconds)
    {
        ulong next = NextInterval(state), start = contract.Terms.IntervalStart;
        if (next <= start) return 0;
        return (uint)Math.Min(contract.Terms.IntervalCount, (next - start + intervalSeconds - 1) / intervalSeconds);
    }
}
