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
        return Pages(prefix, from, upper);
    }

    /// <summary>Rows a scan reads at a time: enough to make a page cheap, few enough to stay off the large-object heap.</summary>
    private const int PageSize = 1024;

    // Lazy, a page at a time (as the SQLite store): a settlement run reads a few thousand entries of a prefix that holds
    // hundreds of thousands. Each page is materialised, and the next resumes after its last key, so callers may apply
    // changes while they walk the result.
    private IEnumerable<KeyValuePair<string, byte[]>> Pages(string prefix, string from, string upper)
    {
        var page = new List<KeyValuePair<string, byte[]>>(PageSize);
        string? after = null;
        while (true)
        {
            page.Clear();
            foreach (var key in _keys.GetViewBetween(from, upper))
            {
                if (after is not null && string.Equals(key, after, StringComparison.Ordinal)) continue;
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                page.Add(new(key, _values[key]));
                if (page.Count == PageSize) break;
            }
            foreach (var row in page) yield return row;
            if (page.Count < PageSize) yield break;
            from = after = page[^1].Key;
        }
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
