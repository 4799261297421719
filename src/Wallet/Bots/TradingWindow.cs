namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// Which interval a bot trades at an instant, and whether now: the next one whose gate closes at least
/// <see cref="CommitMarginSeconds"/> from now (time for its transactions to commit); a seller trades it at once, a buyer
/// only once the gate is at most half an interval beyond that margin, so that the interval's offers are on the book.
/// The buyer's window is thus half an interval wide — wide enough for a bot ticking every tenth of an interval to hit
/// on a busy machine (a one-second window, as there was, missed intervals and left loads to the POLR).
/// </summary>
public static class TradingWindow
{
    /// <summary>Seconds before gate closure by which a bot's last transaction should have been submitted.</summary>
    public const ulong CommitMarginSeconds = 4;

    /// <summary>
    /// The interval to trade at <paramref name="now"/> (unix seconds), and whether its window is open. A buyer that
    /// <paramref name="yields"/> (flexible storage, which can charge in any interval) opens its window one tick later,
    /// so that loads, which draw their floor bought or not, have the first claim on the interval's offers: a floor left
    /// unbought is energy the POLR supplies.
    /// </summary>
    public static (ulong Start, bool Open) At(ulong now, ulong intervalSeconds, ulong gateClosureSeconds, Func<ulong, bool> sells, bool yields = false)
    {
        ulong start = (now / intervalSeconds + 1) * intervalSeconds;
        while (start - gateClosureSeconds < now + CommitMarginSeconds) start += intervalSeconds;
        ulong window = intervalSeconds / 2 - (yields ? (ulong)Tick(intervalSeconds).TotalSeconds : 0);
        bool open = sells(start) || start - gateClosureSeconds - now <= CommitMarginSeconds + window;
        return (start, open);
    }

    /// <summary>How long a bot sleeps between looks: a tenth of an interval, at least a second.</summary>
    public static TimeSpan Tick(ulong intervalSeconds) => TimeSpan.FromSeconds(Math.Max(1, intervalSeconds / 10.0));
}
