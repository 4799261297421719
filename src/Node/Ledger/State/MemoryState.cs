namespace P2PEnergy.Node.Ledger.State;

/// <summary>Committed state held in memory: for replay checks, tests and tools. Not thread-safe.</summary>
public sealed class MemoryState : IStateReader
{
    private readonly SortedDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    public byte[]? Get(string key) => _values.TryGetValue(key, out var value) ? value : null;

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix)
        => _values.SkipWhile(kv => string.CompareOrdinal(kv.Key, prefix) < 0).TakeWhile(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    public void Apply(IReadOnlyList<StateChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Value is null) _values.Remove(change.Key); else _values[change.Key] = change.Value;
        }
    }

    public int Count => _values.Count;
}
