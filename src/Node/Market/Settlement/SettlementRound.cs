using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The settlement step of the state transition, run at the start of every block before its transactions: the events
/// due at or before the block time happen, in time order — an interval settles when its reading window closes
/// (end + readingWindowSeconds), standby fees at each UTC day boundary, subscriptions at each UTC month boundary (an
/// interval before a boundary falling at the same instant) — but never more than
/// <see cref="ChainParameters.SettlementStepsPerBlock"/> steps in one block: an event that does not fit goes on in
/// the next block where it stopped, and intervals with nothing to settle are passed over in one step, found from the
/// indexes. A cursor in state says how far it got, so replaying blocks reproduces every event exactly once.
/// A step that throws does not stop the chain: it is isolated and skipped, and the skip is recorded (see
/// <see cref="SettlementFailures"/>).
/// </summary>
public static class SettlementRound
{
    private const ulong Day = 86_400;

    /// <summary>
    /// Settles what is due by the block's time, within the block's step budget, on top of <paramref name="committed"/>;
    /// returns the overlay holding the writes, in which the block's transactions then run. Steps that threw and were
    /// skipped are added to <paramref name="faults"/>.
    /// </summary>
    public static StateOverlay Run(ChainParameters parameters, IStateReader committed, ulong height, long timeMs, ICollection<ExecutionFault> faults)
    {
        int budget = parameters.SettlementStepsPerBlock;
        if (budget <= 0) throw new ArgumentOutOfRangeException(nameof(parameters), $"settlementStepsPerBlock must be > 0, got {budget}");
        var block = new StateOverlay(committed);
        // The usual case: one run straight into the block's overlay, nothing copied.
        try
        {
            Run(new LedgerContext(parameters, block, height, timeMs), budget);
            return block;
        }
        catch (Exception e) when (!ExecutionFault.IsFatal(e)) { }
        return SettlementFailures.Isolate(parameters, committed, height, timeMs, budget, faults);
    }

    /// <summary>One run of at most <paramref name="steps"/> steps, its writes closed into the context's overlay; the steps taken, and whether it stopped for lack of budget.</summary>
    internal static (int Taken, bool OutOfSteps) Run(LedgerContext context, int steps)
    {
        var run = new SettlementRun(context, steps);
        Advance(run);
        run.Close();
        return (run.Taken, run.Left == 0);
    }

    private static void Advance(SettlementRun run)
    {
        while (run.Left > 0)
        {
            switch (run.Cursor.Stage)
            {
                case SettlementStage.SettlementIdle:
                    if (!StartNext(run)) return;
                    break;
                case SettlementStage.IntervalContracts: IntervalSettler.Contracts(run); break;
                case SettlementStage.IntervalShortfalls: ImbalanceSettler.Shortfalls(run); break;
                case SettlementStage.IntervalSurpluses: ImbalanceSettler.Surpluses(run); break;
                case SettlementStage.IntervalReceivables: IntervalSettler.Receivables(run); break;
                case SettlementStage.StandbyParticipants or SettlementStage.StandbyReceivables: PolrStandbyFee.Standby(run); break;
                case SettlementStage.SubscriptionParticipants: ParticipantCharges.Subscription(run); break;
                default: throw new InvalidDataException($"settlement cursor is in unknown stage {run.Cursor.Stage}");
            }
        }
    }

    /// <summary>Which event is next, and when it is due.</summary>
    internal enum Event { Interval, Standby, Subscription }

    /// <summary>The next event by the cursor (an interval before a day or month boundary at the same instant), if due by the block time.</summary>
    internal static (Event Kind, ulong Time, ulong Boundary)? NextDue(LedgerContext context, SettlementCursor cursor)
    {
        var p = context.Parameters;
        ulong intervalDue = Saturating.Add(Saturating.Add(cursor.NextInterval, p.IntervalSeconds), p.ReadingWindowSeconds);
        ulong dayDue = Saturating.Add(cursor.StandbyDay, Day);
        ulong monthDue = NextMonth(cursor.SubscriptionMonth);
        ulong boundary = Math.Min(dayDue, monthDue);
        ulong due = Math.Min(intervalDue, boundary);
        if (due > context.TimeSeconds) return null;
        if (due == intervalDue) return (Event.Interval, cursor.NextInterval, boundary);
        return due == dayDue ? (Event.Standby, dayDue, boundary) : (Event.Subscription, monthDue, boundary);
    }

    /// <summary>Starts the next due event, or passes over idle intervals; one step. False when nothing is due.</summary>
    private static bool StartNext(SettlementRun run)
    {
        if (NextDue(run.Context, run.Cursor) is not { } next || !run.Step()) return false;
        switch (next.Kind)
        {
            case Event.Interval when IntervalWork.Has(run): IntervalSettler.Start(run); break;
            case Event.Interval: run.Cursor.NextInterval = IntervalWork.NextCandidate(run, next.Boundary); break;
            case Event.Standby: PolrStandbyFee.StartStandby(run, next.Time); break;
            default: ParticipantCharges.StartSubscription(run, next.Time); break;
        }
        return true;
    }

    /// <summary>The stored cursor, or the chain's starting point: the interval, day and month holding genesis time.</summary>
    public static SettlementCursor Cursor(LedgerContext context) => Cursor(context.State, context.Parameters);

    /// <summary>The stored cursor, or the chain's starting point: the interval, day and month holding genesis time.</summary>
    public static SettlementCursor Cursor(IStateReader state, ChainParameters parameters)
    {
        if (state.Get(SettlementKeys.Cursor) is { } bytes) return SettlementCursor.Parser.ParseFrom(bytes);
        ulong genesis = (ulong)(parameters.GenesisTimeMs / 1000);
        var start = DateTimeOffset.FromUnixTimeSeconds((long)genesis);
        return new SettlementCursor
        {
            NextInterval = genesis / parameters.IntervalSeconds * parameters.IntervalSeconds,
            StandbyDay = genesis / Day * Day,
            SubscriptionMonth = (ulong)new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(),
        };
    }

    // Calendar arithmetic on a UTC DateTimeOffset is integer tick arithmetic: deterministic on every node. Past the
    // calendar's end (year 9999) there is no next month.
    private static ulong NextMonth(ulong monthStart)
        => monthStart >= 253_399_622_400UL ? ulong.MaxValue // 9999-12-01T00:00Z
            : (ulong)DateTimeOffset.FromUnixTimeSeconds((long)monthStart).AddMonths(1).ToUnixTimeSeconds();
}
