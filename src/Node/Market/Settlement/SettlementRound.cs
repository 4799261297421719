using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The settlement step of the state transition, run at the start of every block before its transactions: every
/// event due at or before the block time happens, in time order — an interval settles when its reading window
/// closes (end + readingWindowSeconds), standby fees at each UTC day boundary, subscriptions at each UTC month
/// boundary (an interval before a boundary falling at the same instant). A cursor in state says how far it got,
/// so replaying blocks reproduces every event exactly once.
/// </summary>
public static class SettlementRound
{
    private const ulong Day = 86_400;

    public static void Run(LedgerContext context)
    {
        var p = context.Parameters;
        var cursor = Cursor(context);
        var book = new SettlementBook(context);
        ulong now = context.TimeSeconds;
        bool moved = false;
        while (true)
        {
            ulong intervalDue = checked(cursor.NextInterval + p.IntervalSeconds + p.ReadingWindowSeconds);
            ulong dayDue = checked(cursor.StandbyDay + Day);
            ulong monthDue = NextMonth(cursor.SubscriptionMonth);
            ulong due = Math.Min(intervalDue, Math.Min(dayDue, monthDue));
            if (due > now) break;
            if (due == intervalDue)
            {
                IntervalSettler.Settle(book, cursor.NextInterval);
                cursor.NextInterval += p.IntervalSeconds;
            }
            else if (due == dayDue)
            {
                ParticipantCharges.Standby(book, dayDue);
                cursor.StandbyDay = dayDue;
            }
            else
            {
                ParticipantCharges.Subscription(book, monthDue);
                cursor.SubscriptionMonth = monthDue;
            }
            moved = true;
        }
        if (!moved) return;
        book.Flush();
        context.State.Set(SettlementKeys.Cursor, cursor.ToByteArray());
    }

    /// <summary>The stored cursor, or the chain's starting point: the interval, day and month holding genesis time.</summary>
    public static SettlementCursor Cursor(LedgerContext context)
    {
        if (context.State.Get(SettlementKeys.Cursor) is { } bytes) return SettlementCursor.Parser.ParseFrom(bytes);
        ulong genesis = (ulong)(context.Parameters.GenesisTimeMs / 1000);
        var start = DateTimeOffset.FromUnixTimeSeconds((long)genesis);
        return new SettlementCursor
        {
            NextInterval = genesis / context.Parameters.IntervalSeconds * context.Parameters.IntervalSeconds,
            StandbyDay = genesis / Day * Day,
            SubscriptionMonth = (ulong)new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(),
        };
    }

    // Calendar arithmetic on a UTC DateTimeOffset is integer tick arithmetic: deterministic on every node.
    private static ulong NextMonth(ulong monthStart)
        => (ulong)DateTimeOffset.FromUnixTimeSeconds((long)monthStart).AddMonths(1).ToUnixTimeSeconds();
}
