namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// Arithmetic for what settlement reports and what participants owe: totals of energy (Wh) and money on statements and
/// interval records, debts and receivables. Energy is summed in Int128 (a reading or a contract may carry up to 2^64−1
/// Wh); a sum stored in a 64-bit field stops at the field's bound instead of throwing, so no value execution admitted
/// can stop settlement. Money that moves between balances stays checked: balances are conserved and cannot overflow.
/// </summary>
internal static class Saturating
{
    public static ulong Add(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    public static long Add(long a, Int128 b) => ToInt64((Int128)a + b);

    public static long ToInt64(Int128 value) => value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;

    /// <summary>A non-negative amount as u64 (values beyond it stop at 2^64−1).</summary>
    public static ulong ToUInt64(Int128 value) => value > ulong.MaxValue ? ulong.MaxValue : value < 0 ? 0 : (ulong)value;
}
