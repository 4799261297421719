namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Committed state held in memory: for replay checks, tests, tools and benchmarks. Values by key in a hash map
/// (reads are O(1), as through the node's committed-state cache) and the keys in ordinal order for range scans.
/// Not thread-safe.
/// </summary>
public sealed class MemoryState : IStateReader
{
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);

    public byte[]? Get(string key) => _values.GetValueOrDefault(key);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => Scan(prefix, prefix);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from)
    {
        if (string.CompareOrdinal(from, prefix) < 0) from = prefix;
        string upper = prefix + char.MaxValue;
        if (_keys.Count == 0 || string.CompareOrdinal(from, upper) > 0) return [];
        // Materialised: callers may apply changes while they walk the result.
        var found = new List<KeyValuePair<string, byte[]>>();
        foreach (var key in _keys.GetViewBetween(from, upper))
            if (key.StartsWith(prefix, StringComparison.Ordinal)) found.Add(new(key, _values[key]));
        return found;
    }

    public void Apply(IReadOnlyList<StateChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Value is null)
            {
                if (_values.Remove(change.Key)) _keys.Remove(change.Key);
            }
            else if (_values.TryAdd(change.Key, change.Value)) _keys.Add(change.Key);
            else _values[change.Key] = change.Value;
        }
    }

    public int Count => _values.Count;
}
