namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// What a buying bot takes next from the same offer after a take was refused: what is left of it when another buyer
/// got there first (OFFER_EXCEEDED: a partial take), half as much after a grid or meter limit, nothing otherwise.
/// </summary>
public static class TakeRetry
{
    private static readonly HashSet<string> LimitCodes = ["THERMAL_LIMIT", "VOLTAGE_LIMIT", "METER_LIMIT"];

    /// <summary>
    /// The next amount to take after <paramref name="code"/> refused a take of <paramref name="tried"/> Wh, with
    /// <paramref name="need"/> Wh still wanted and <paramref name="left"/> Wh now left on the offer; 0: move on.
    /// </summary>
    public static ulong Next(string code, ulong tried, ulong need, ulong left)
    {
        if (code == "OFFER_EXCEEDED") return Math.Min(Math.Min(need, left), tried - 1);
        if (LimitCodes.Contains(code)) return tried / 2;
        return 0;
    }

    /// <summary>Whether a retry needs the offer's remaining energy read again first.</summary>
    public static bool NeedsOffer(string code) => code == "OFFER_EXCEEDED";
}
