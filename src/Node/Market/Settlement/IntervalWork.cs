using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// Whether an interval has anything to settle, and where the next one that might is — from the indexes, in a few
/// seeks, never by stepping through idle intervals: a chain whose genesis lies months back (481,000 one-minute
/// intervals) passes each idle stretch between two day boundaries in one step. An interval has work when a contract
/// runs in it (one settled earlier still runs — <c>runningUntil</c> — or one starts in it — the <c>contract-start/</c>
/// marker), when a meter reported it, or when the utility owes receivables and holds funds to pay them (all that an
/// idle interval's settlement ever did).
/// </summary>
internal static class IntervalWork
{
    public static bool Has(SettlementRun run)
    {
        var state = run.Context.State;
        ulong interval = run.Cursor.NextInterval;
        if (run.Cursor.RunningUntil > interval) return true;
        if (state.Get(SettlementKeys.ContractStart(interval)) is not null) return true;
        if (First(state, StateKeys.ReadingPrefix, StateKeys.Reading(interval, "")) == interval) return true;
        return run.Book.Peek(run.Context.Parameters.Utility) is { PolrPayable: > 0, Balance: > 0 };
    }

    /// <summary>
    /// Where the cursor goes from an idle interval: the first later interval in which a contract starts or a meter
    /// reported, but no further than the first interval due after <paramref name="boundary"/> (a day or month event
    /// comes first, and may give the utility funds for receivables) or not yet due at all.
    /// </summary>
    public static ulong NextCandidate(SettlementRun run, ulong boundary)
    {
        var state = run.Context.State;
        var p = run.Context.Parameters;
        ulong after = run.Cursor.NextInterval + p.IntervalSeconds;
        ulong limit = Math.Min(boundary, run.Context.TimeSeconds);
        ulong target = DueAfter(limit, p.IntervalSeconds, p.ReadingWindowSeconds);
        if (First(state, SettlementKeys.ContractStartPrefix, SettlementKeys.ContractStart(after)) is { } start) target = Math.Min(target, start);
        if (First(state, StateKeys.ReadingPrefix, StateKeys.Reading(after, "")) is { } reading) target = Math.Min(target, reading);
        return Math.Max(target, after);
    }

    /// <summary>The first interval start whose settlement is due after <paramref name="time"/> (end + window &gt; time).</summary>
    private static ulong DueAfter(ulong time, ulong intervalSeconds, ulong windowSeconds)
    {
        ulong lag = intervalSeconds + windowSeconds;
        return time < lag ? 0 : ((time - lag) / intervalSeconds + 1) * intervalSeconds;
    }

    /// <summary>The interval number leading the first key ≥ <paramref name="from"/> under <paramref name="prefix"/> (keys "prefix" ‖ StateKeys.Number ‖ …).</summary>
    private static ulong? First(IStateReader state, string prefix, string from)
    {
        foreach (var (key, _) in state.Scan(prefix, from))
            return StateKeys.ParseNumber(key.AsSpan(prefix.Length)).Value;
        return null;
    }
}
