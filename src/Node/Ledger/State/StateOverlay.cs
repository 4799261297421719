namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Pending writes on top of committed state while a block executes. A transaction works in a nested overlay
/// that is merged on success and dropped on failure, so a rejected transaction leaves no trace.
/// </summary>
public sealed class StateOverlay : IStateReader
{
    private readonly IStateReader _below;
    private readonly SortedDictionary<string, byte[]?> _writes = new(StringComparer.Ordinal);

    public StateOverlay(IStateReader below) => _below = below;

    public byte[]? Get(string key) => _writes.TryGetValue(key, out var value) ? value : _below.Get(key);

    public void Set(string key, byte[] value) => _writes[key] = value;

    public void Delete(string key) => _writes[key] = null;

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix)
    {
        // Merge two ordered streams; a write (or delete) here shadows the same key below.
        using var below = _below.Scan(prefix).GetEnumerator();
        using var mine = _writes.Where(w => w.Key.StartsWith(prefix, StringComparison.Ordinal)).GetEnumerator();
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
    }

    /// <summary>The writes in ordinal key order: what the block store persists and the app hash covers.</summary>
    public IReadOnlyList<StateChange> Changes() => _writes.Select(w => new StateChange(w.Key, w.Value)).ToList();

    /// <summary>Number of pending writes.</summary>
    public int Count => _writes.Count;
}
