using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// proposer(h, r) of the paper: weighted round robin by proposer priority, as CometBFT does it. Each selection adds every
/// validator's power to its priority, picks the highest (ties to the lower address) and subtracts the total power from
/// it, so over time each validator proposes in proportion to its power. Round r of a height is the (r + 1)-th selection
/// from the height's priorities. Before selecting, priorities are squeezed into a window of 2 × total power and centred
/// on zero, so a long run of rounds or a changed set cannot push them out of range. Integer arithmetic only.
/// </summary>
public sealed class ProposerRotation
{
    private readonly List<Address> _proposers = [];
    private readonly Address[] _addresses;
    private readonly long[] _powers;
    private readonly long[] _priorities;
    private readonly long _total;

    public ProposerRotation(ValidatorSet set)
    {
        _total = set.TotalPower;
        _addresses = set.Validators.Select(v => v.Address).ToArray();
        _powers = set.Validators.Select(v => v.Power).ToArray();
        _priorities = set.Validators.Select(v => v.Priority).ToArray();
        Normalize(_priorities, _total);
    }

    /// <summary>The proposer of round <paramref name="round"/>; selections are computed once and kept.</summary>
    public Address At(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        while (_proposers.Count <= round) _proposers.Add(_addresses[SelectOnce(_priorities, _powers, _total)]);
        return _proposers[round];
    }

    /// <summary>
    /// The priorities <paramref name="heights"/> heights later: each height normalises, then makes the one selection that
    /// chose its round 0 (<see cref="ValidatorSet.Next()"/>). In place, allocation-free: a node recomputes every height's
    /// priorities from genesis when it starts (ValidatorTimeline). <paramref name="powers"/> are in address order.
    /// </summary>
    internal static void AdvanceHeights(Span<long> priorities, ReadOnlySpan<long> powers, long total, ulong heights)
    {
        for (ulong h = 0; h < heights; h++)
        {
            Normalize(priorities, total);
            SelectOnce(priorities, powers, total);
        }
    }

    /// <summary>Scales priorities into a window of 2 × total and centres them on their (floored) mean, in place.</summary>
    internal static void Normalize(Span<long> priorities, long total)
    {
        long window = checked(2 * total);
        long min = long.MaxValue, max = long.MinValue;
        foreach (long p in priorities)
        {
            if (p < min) min = p;
            if (p > max) max = p;
        }
        Int128 diff = (Int128)max - min;
        if (diff > window)
        {
            long ratio = (long)((diff + window - 1) / window);
            for (int i = 0; i < priorities.Length; i++) priorities[i] /= ratio; // truncates toward zero
        }
        Int128 sum = 0;
        foreach (long p in priorities) sum += p;
        Int128 mean = Int128.DivRem(sum, priorities.Length) is var (q, r) && r < 0 ? q - 1 : q; // floor
        for (int i = 0; i < priorities.Length; i++) priorities[i] = checked(priorities[i] - (long)mean);
    }

    // One selection, in place; returns the index chosen. Validators are in address order, so the first of equal
    // priorities is the lower address.
    private static int SelectOnce(Span<long> priorities, ReadOnlySpan<long> powers, long total)
    {
        int best = 0;
        for (int i = 0; i < priorities.Length; i++)
        {
            priorities[i] = checked(priorities[i] + powers[i]);
            if (priorities[i] > priorities[best]) best = i;
        }
        priorities[best] = checked(priorities[best] - total);
        return best;
    }
}
