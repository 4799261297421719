namespace P2PEnergy.Node.Grid;

/// <summary>
/// LinDistFlow (Baran &amp; Wu 1989, linearised) in fixed point: along a branch from parent i to child j,
/// v_j² = v_i² − 2(r·P_ij + x·Q_ij), with P_ij the power flowing down. The ledger signs flows positive towards
/// the parent, so a child's v² is its parent's plus <see cref="Rise"/>. Losses and the r·(P²+Q²)/v² term are
/// dropped: see docs/grid-model.md for where that errs.
/// </summary>
public static class LinDistFlow
{
    private static readonly Int128 Scale = 2 * (Int128)1_000_000_000; // 2 × 10^12 (p.u.² scale) ÷ 10^3 (mΩ → Ω)

    /// <summary>
    /// The rise of v² (p.u.² × 10^12) across the branch of <paramref name="node"/> carrying <paramref name="p"/> W and
    /// <paramref name="q"/> var towards the parent. Per unit, r·P = r[Ω]·P[W] ÷ V_nom², whatever the base power.
    /// Truncates towards zero; a function of the branch's total flow only, so the result does not depend on the
    /// order in which contributions were added. Exact for every 64-bit flow: with impedances up to
    /// <see cref="GridModel.MaxImpedanceMilliohm"/> the numerator stays below 2^126; the caller bounds the result
    /// (<see cref="GridModel.MaxBranchRise"/>) before it enters 64-bit sums.
    /// </summary>
    public static Int128 Rise(GridModel model, int node, long p, long q)
    {
        if (p == 0 && q == 0) return 0;
        var v = model.NominalVoltageV[node];
        Int128 numerator = checked(((Int128)model.RMilliohm[node] * p + (Int128)model.XMilliohm[node] * q) * Scale);
        Int128 divisor = (Int128)v * v;
        // Same truncation either way; 64-bit division is several times faster than Int128's, and usually suffices.
        if (numerator >= long.MinValue + 1 && numerator <= long.MaxValue && divisor <= long.MaxValue)
            return (long)numerator / (long)divisor;
        return numerator / divisor;
    }

    /// <summary>tan φ × 10^6 for a power factor in thousandths (0 and 1000 mean unity).</summary>
    public static long TanMicro(uint powerFactorMilli)
    {
        if (powerFactorMilli is 0 or >= 1000) return 0;
        // tan φ = √(1 − pf²) ÷ pf; with pf = m/1000: √(10^6 − m²) ÷ m, scaled by 10^6 before the root for precision.
        long m = powerFactorMilli;
        return (long)(IntegerSqrt((Int128)(1_000_000 - m * m) * 1_000_000_000_000) / m);
    }

    /// <summary>
    /// Reactive power (var) of a meter at constant power factor: it follows active power with the same sign. Up to ~1,000
    /// times the active power (power factor 0.001), so wider than 64 bits; the flow book bounds it.
    /// </summary>
    public static Int128 Reactive(long activeW, long tanMicro) => tanMicro == 0 ? 0 : (Int128)activeW * tanMicro / 1_000_000;

    /// <summary>⌊√n⌋ for n ≥ 0, by Newton's method on integers.</summary>
    public static Int128 IntegerSqrt(Int128 n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
        if (n < 2) return n;
        // Start at a power of two above the root; Newton's iteration then decreases monotonically to ⌊√n⌋.
        int bits = 128 - (int)Int128.LeadingZeroCount(n);
        Int128 x = (Int128)1 << ((bits + 1) / 2);
        while (true)
        {
            Int128 y = (x + n / x) / 2;
            if (y >= x) return x;
            x = y;
        }
    }
}
