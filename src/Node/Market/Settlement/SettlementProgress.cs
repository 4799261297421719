using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// How far settlement has got, derived rather than stored per contract: intervals settle strictly in order behind
/// the cursor, so a contract's settled intervals are those that start before the cursor's next interval. Storing a
/// counter in every contract meant rewriting 200,000 records (and hashing them) each interval. An interval whose
/// settlement spans blocks counts as settled only once all of it is done.
/// </summary>
public static class SettlementProgress
{
    /// <summary>The start of the next interval to settle (the one in progress, if any); 0 before the first settlement round.</summary>
    public static ulong NextInterval(IStateReader state) => Cursor(state)?.NextInterval ?? 0;

    /// <summary>
    /// The start of the latest settled interval, the one behind the cursor (an idle interval settles without a record);
    /// null before any has settled.
    /// </summary>
    public static ulong? LastSettledInterval(IStateReader state, ulong intervalSeconds)
        => NextInterval(state) is var next && next >= intervalSeconds ? next - intervalSeconds : null;

    /// <summary>How many of the contract's intervals have settled completely.</summary>
    public static uint SettledIntervals(IStateReader state, ContractState contract, ulong intervalSeconds)
        => Settled(NextInterval(state), contract.Terms.IntervalStart, contract.Terms.IntervalCount, intervalSeconds);

    /// <summary>
    /// How many instalments the contract whose interval index entry is <paramref name="indexKey"/> has released: its
    /// settled intervals, and one more when the interval in progress has already passed its entry.
    /// </summary>
    public static uint InstalmentsReleased(IStateReader state, string indexKey, ContractDue contract, ulong intervalSeconds)
    {
        var cursor = Cursor(state);
        ulong next = cursor?.NextInterval ?? 0;
        uint settled = Settled(next, contract.IntervalStart, contract.IntervalCount, intervalSeconds);
        if (cursor is null || settled == contract.IntervalCount || next < contract.IntervalStart) return settled;
        bool released = cursor.Stage switch
        {
            SettlementStage.IntervalContracts => string.CompareOrdinal(indexKey, cursor.ResumeKey) < 0,
            SettlementStage.IntervalShortfalls or SettlementStage.IntervalSurpluses or SettlementStage.IntervalReceivables => true,
            _ => false,
        };
        return released ? settled + 1 : settled;
    }

    /// <summary>Whether the interval starting at <paramref name="intervalStart"/> is still settling (begun in an earlier block, not done).</summary>
    public static bool InProgress(IStateReader state, ulong intervalStart)
        => Cursor(state) is { } cursor && cursor.Interval is not null && cursor.NextInterval == intervalStart;

    private static uint Settled(ulong next, ulong start, uint count, ulong intervalSeconds)
        => next <= start ? 0 : (uint)Math.Min(count, (next - start + intervalSeconds - 1) / intervalSeconds);

    private static SettlementCursor? Cursor(IStateReader state)
        => state.Get(SettlementKeys.Cursor) is { } bytes ? SettlementCursor.Parser.ParseFrom(bytes.AsSpan()) : null;
}
