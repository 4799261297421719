namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// The paper's thresholds over voting power, not counts: with total power n and at most f faulty, "2f + 1" is more than
/// two thirds of n and "f + 1" more than one third. Int128 so products of powers up to 2^60 cannot overflow.
/// </summary>
public static class Quorum
{
    /// <summary>2f + 1: more than 2/3 of <paramref name="total"/>.</summary>
    public static bool TwoThirds(long power, long total) => (Int128)power * 3 > (Int128)total * 2;

    /// <summary>f + 1: more than 1/3 of <paramref name="total"/> — at least one honest validator is among them.</summary>
    public static bool OneThird(long power, long total) => (Int128)power * 3 > total;
}
