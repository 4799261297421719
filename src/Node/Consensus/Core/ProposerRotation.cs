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
    private List<Validator> _priorities;
    private readonly long _total;

    public ProposerRotation(ValidatorSet set)
    {
        _total = set.TotalPower;
        _priorities = Normalize(set.Validators, _total);
    }

    /// <summary>The proposer of round <paramref name="round"/>; selections are computed once and kept.</summary>
    public Address At(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        while (_proposers.Count <= round)
        {
            (_priorities, var chosen) = SelectOnce(_priorities, _total);
            _proposers.Add(chosen);
        }
        return _proposers[round];
    }

    /// <summary>The priorities after <paramref name="times"/> selections, and the last one chosen.</summary>
    internal static (List<Validator> Validators, Address Last) Advance(IReadOnlyList<Validator> validators, long total, int times)
    {
        var current = Normalize(validators, total);
        Address last = default;
        for (int i = 0; i < times; i++) (current, last) = SelectOnce(current, total);
        return (current, last);
    }

    /// <summary>Scales priorities into a window of 2 × total and centres them on their (floored) mean.</summary>
    internal static List<Validator> Normalize(IReadOnlyList<Validator> validators, long total)
    {
        long window = checked(2 * total);
        long min = validators.Min(v => v.Priority), max = validators.Max(v => v.Priority);
        Int128 diff = (Int128)max - min;
        var scaled = validators;
        if (diff > window)
        {
            long ratio = (long)((diff + window - 1) / window);
            scaled = validators.Select(v => v with { Priority = v.Priority / ratio }).ToList(); // truncates toward zero
        }
        Int128 sum = scaled.Aggregate(Int128.Zero, (s, v) => s + v.Priority);
        Int128 mean = Int128.DivRem(sum, scaled.Count) is var (q, r) && r < 0 ? q - 1 : q; // floor
        return scaled.Select(v => v with { Priority = checked(v.Priority - (long)mean) }).ToList();
    }

    private static (List<Validator>, Address) SelectOnce(List<Validator> validators, long total)
    {
        var next = new List<Validator>(validators.Count);
        int best = 0;
        for (int i = 0; i < validators.Count; i++)
        {
            var v = validators[i];
            next.Add(v with { Priority = checked(v.Priority + v.Power) });
            if (next[i].Priority > next[best].Priority || (next[i].Priority == next[best].Priority && next[i].Address.CompareTo(next[best].Address) < 0))
                best = i;
        }
        next[best] = next[best] with { Priority = checked(next[best].Priority - total) };
        return (next, next[best].Address);
    }
}
