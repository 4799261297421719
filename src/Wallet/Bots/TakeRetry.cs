using P2PEnergy.Contracts.Ledger;
namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// What a buying bot takes next from the same offer after a take was refused: what is left of it when another buyer
/// got there first (OFFER_EXCEEDED: a partial take); after a grid or meter limit, what the meter's hosting capacity
/// still admits (half as much when the node did not say); nothing otherwise.
/// </summary>
public static class TakeRetry
{
    private static readonly HashSet<string> LimitCodes = [ReasonCodes.ThermalLimit, ReasonCodes.VoltageLimit, ReasonCodes.MeterLimit];

    /// <summary>
    /// The next amount to take after <paramref name="code"/> refused a take of <paramref name="tried"/> Wh, with
    /// <paramref name="need"/> Wh still wanted, <paramref name="left"/> Wh now left on the offer and, after a limit,
    /// <paramref name="headroomWh"/> the import the meter's hosting capacity still admits this interval (null: unknown);
    /// 0: move on. Never the amount just refused, so retries end.
    /// </summary>
    public static ulong Next(string code, ulong tried, ulong need, ulong left, ulong? headroomWh = null)
    {
        if (code == ReasonCodes.OfferExceeded) return Math.Min(Math.Min(need, left), tried - 1);
        if (LimitCodes.Contains(code)) return headroomWh is { } room ? Math.Min(Math.Min(need, room), tried - 1) : tried / 2;
        return 0;
    }

    /// <summary>Whether a retry needs the offer's remaining energy read again first.</summary>
    public static bool NeedsOffer(string code) => code == ReasonCodes.OfferExceeded;

    /// <summary>Whether a retry is sized by the meter's hosting capacity (a grid or meter limit).</summary>
    public static bool NeedsHostingCapacity(string code) => LimitCodes.Contains(code);
}
