namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Pending writes on top of committed state while a block executes. A transaction works in a nested overlay
/// that is merged on success and dropped on failure, so a rejected transaction leaves no trace.
/// </summary>
public sealed class StateOverlay : IStateReader
{
    private readonly IStateReader _below;
    // Values by key for O(1) reads, and the keys in ordinal order for range scans: a scan must cost the size of its
    // range, not of the whole block's writes (fee lookups scan once per contract; filtering every write was O(n²)).
    private readonly Dictionary<string, byte[]?> _writes = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);

    public StateOverlay(IStateReader below) => _below = below;

    public byte[]? Get(string key) => _writes.TryGetValue(key, out var value) ? value : _below.Get(key);

    public void Set(string key, byte[] value)
    {
        _writes[key] = value;
        _keys.Add(key);
    }

    public void Delete(string key)
    {
        _writes[key] = null;
        _keys.Add(key);
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix)
    {
        // Merge two ordered streams; a write (or delete) here shadows the same key below.
        using var below = _below.Scan(prefix).GetEnumerator();
        using var mine = Range(prefix).GetEnumerator();
        bool hasBelow = below.MoveNext(), hasMine = mine.MoveNext();
        while (hasBelow || hasMine)
        {
            int order = !hasBelow ? 1 : !hasMine ? -1 : string.CompareOrdinal(below.Current.Key, mine.Current.Key);
            if (order < 0)
            {
                yield return below.Current;
                hasBelow = below.MoveNext();
                continue;
            }
            if (mine.Current.Value is { } value) yield return new(mine.Current.Key, value);
            if (order == 0) hasBelow = below.MoveNext();
            hasMine = mine.MoveNext();
        }
    }

    /// <summary>Moves this overlay's writes into the overlay (or store) below it.</summary>
    public void MergeInto(StateOverlay target)
    {
        foreach (var (key, value) in _writes)
        {
            if (value is null) target.Delete(key); else target.Set(key, value);
        }
        _writes.Clear();
        _keys.Clear();
    }

    /// <summary>The writes in ordinal key order: what the block store persists and the app hash covers.</summary>
    public IReadOnlyList<StateChange> Changes() => _keys.Select(k => new StateChange(k, _writes[k])).ToList();

    private IEnumerable<KeyValuePair<string, byte[]?>> Range(string prefix)
    {
        if (_keys.Count == 0) yield break;
        // Keys with the prefix sort between the prefix itself and the prefix followed by the highest char.
        foreach (var key in _keys.GetViewBetween(prefix, prefix + char.MaxValue))
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return new(key, _writes[key]);
    }

    /// <summary>Number of pending writes.</summary>
    public int Count => _writes.Count;
}
