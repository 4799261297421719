namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// Which interval a bot trades at an instant, and whether now: the next one whose gate closes at least
/// <see cref="CommitMarginSeconds"/> from now (time for its transactions to commit); a seller trades it at once, a buyer
/// only once the gate is at most half an interval beyond that margin, so that the interval's offers are on the book.
/// The buyer's window is thus half an interval wide — wide enough for a bot ticking every tenth of an interval to hit
/// on a busy machine (a one-second window, as there was, missed intervals and left loads to the POLR). Its first tick
/// is for floors only (<see cref="Window.FloorsOnly"/>).
/// </summary>
public static class TradingWindow
{
    /// <summary>Seconds before gate closure by which a bot's last transaction should have been submitted.</summary>
    public const ulong CommitMarginSeconds = 4;

    /// <summary>
    /// The interval a bot trades at an instant; whether its window is open; and, for a buyer, whether the window is in
    /// its first tick, when buyers take only their loads' floors: a load draws its floor bought or not, so a floor left
    /// unbought is energy the POLR supplies, while energy above the floors (a load's top-up, a battery's arbitrage) is
    /// only worth buying from what the floors left. A buyer that comes to the window late buys floor and rest at once.
    /// </summary>
    public readonly record struct Window(ulong Start, bool Open, bool FloorsOnly);

    /// <summary>The window at <paramref name="now"/> (unix seconds).</summary>
    public static Window At(ulong now, ulong intervalSeconds, ulong gateClosureSeconds, Func<ulong, bool> sells)
    {
        ulong start = (now / intervalSeconds + 1) * intervalSeconds;
        while (start - gateClosureSeconds < now + CommitMarginSeconds) start += intervalSeconds;
        if (sells(start)) return new(start, true, false);
        ulong window = intervalSeconds / 2, tick = (ulong)Tick(intervalSeconds).TotalSeconds;
        ulong left = start - gateClosureSeconds - now - CommitMarginSeconds;
        return new(start, left <= window, left <= window && left + tick > window);
    }

    /// <summary>How long a bot sleeps between looks: a tenth of an interval, at least a second.</summary>
    public static TimeSpan Tick(ulong intervalSeconds) => TimeSpan.FromSeconds(Math.Max(1, intervalSeconds / 10.0));
}
