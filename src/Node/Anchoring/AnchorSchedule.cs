namespace P2PEnergy.Node.Anchoring;

/// <summary>
/// Which height to anchor next. Pure bookkeeping over what the committed headers say (fed in height order by
/// <see cref="Observe"/>): a height whose header hands over to another validator set must be anchored before any later
/// one — it is the last checkpoint the old set can sign, and the contract follows the change only from it; otherwise the
/// newest height that is a multiple of <c>everyBlocks</c> or settled an interval, whichever is higher.
/// </summary>
public sealed class AnchorSchedule(int everyBlocks, bool afterSettlement)
{
    private readonly SortedSet<ulong> _setChanges = [];
    private ulong _lastSettlement;

    /// <summary>The highest height observed (the next to observe is one more).</summary>
    public ulong Observed { get; private set; }

    /// <summary>Starts observing after <paramref name="height"/> (the contract's last checkpoint: nothing below it matters).</summary>
    public void StartAfter(ulong height)
    {
        if (height > Observed) Observed = height;
    }

    /// <summary>Records block <paramref name="height"/> (must be <see cref="Observed"/> + 1).</summary>
    public void Observe(ulong height, bool handsOverValidatorSet, bool settledInterval)
    {
        if (height != Observed + 1) throw new ArgumentException($"heights must be observed in order: expected {Observed + 1}, got {height}", nameof(height));
        Observed = height;
        if (handsOverValidatorSet) _setChanges.Add(height);
        if (settledInterval && afterSettlement) _lastSettlement = height;
    }

    /// <summary>The height to anchor when the contract is at <paramref name="lastAnchored"/>; null when none is due.</summary>
    public ulong? Next(ulong lastAnchored)
    {
        _setChanges.RemoveWhere(h => h <= lastAnchored);
        if (_setChanges.Count > 0) return _setChanges.Min;
        ulong periodic = everyBlocks > 0 ? Observed / (ulong)everyBlocks * (ulong)everyBlocks : 0;
        ulong best = Math.Max(periodic, _lastSettlement);
        return best > lastAnchored ? best : null;
    }
}
