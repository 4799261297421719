using System.Runtime.InteropServices;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Pending writes on top of committed state while a block executes. A transaction works in a nested overlay
/// that is merged on success and dropped on failure, so a rejected transaction leaves no trace.
/// </summary>
public sealed class StateOverlay : IStateReader
{
    private readonly IStateReader _below;
    private readonly IStateDecodings? _decodings;
    // Values by key for O(1) reads and writes. Range scans and the block's change set need the keys in ordinal order:
    // keys are sorted when first needed, not on every write — a settlement block writes ~300,000 keys and a balanced
    // tree spent a microsecond on each insert, while scans of an overlay with unsorted keys are rare (grid and fee
    // reads hit caches or single records). New keys wait in _unsorted; a scan sorts them and merges them into a new
    // _sorted list (never one an unfinished scan is walking), so a scan costs O(new keys · log + keys) at most.
    private readonly Dictionary<string, byte[]?> _writes = new(StringComparer.Ordinal);
    private List<string> _sorted = [];
    private List<string> _unsorted = [];

    /// <summary>An empty overlay on <paramref name="below"/>; <paramref name="decodings"/> is the host's memo of decoded values when <paramref name="below"/> does not carry one.</summary>
    public StateOverlay(IStateReader below, IStateDecodings? decodings = null) => (_below, _decodings) = (below, decodings);

    public IStateDecodings? Decodings => _decodings ?? _below.Decodings;

    public byte[]? Get(string key) => _writes.TryGetValue(key, out var value) ? value : _below.Get(key);

    public void Set(string key, byte[] value) => Write(key, value);

    public void Delete(string key) => Write(key, null);

    private void Write(string key, byte[]? value)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_writes, key, out bool exists);
        slot = value;
        if (!exists) _unsorted.Add(key);
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => Scan(prefix, prefix);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from)
    {
        if (string.CompareOrdinal(from, prefix) < 0) from = prefix;
        return Merge(_below.Scan(prefix, from), Range(prefix, from));
    }

    private static IEnumerable<KeyValuePair<string, byte[]>> Merge(IEnumerable<KeyValuePair<string, byte[]>> belowScan, IEnumerable<KeyValuePair<string, byte[]?>> mineScan)
    {
        // Merge two ordered streams; a write (or delete) here shadows the same key below.
        using var below = belowScan.GetEnumerator();
        using var mine = mineScan.GetEnumerator();
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

    /// <summary>Moves this overlay's writes into the overlay (or store) below it; this overlay is then empty and may be reused.</summary>
    public void MergeInto(StateOverlay target)
    {
        foreach (var (key, value) in _writes) target.Write(key, value);
        Discard();
    }

    /// <summary>
    /// Drops every pending write: the overlay reads through to the state below again. A block reuses one transaction
    /// overlay this way instead of allocating a dictionary and its growing arrays for each of its transactions.
    /// </summary>
    public void Discard()
    {
        _writes.Clear(); // keeps its capacity for the next transaction
        _unsorted.Clear(); // only Write and SortedKeys touch it, never a scan
        if (_sorted.Count > 0) _sorted = []; // a new list: a scan still walking the old one must not see it change
    }

    /// <summary>The writes in ordinal key order: what the block store persists and the app hash covers.</summary>
    public SortedChangeSet Changes()
    {
        var changes = new StateChange[_writes.Count];
        if (_unsorted.Count < _sorted.Count)
        {
            // Mostly sorted already (a scan sorted the keys): merge in the few new ones and look the values up.
            var keys = SortedKeys();
            for (int i = 0; i < keys.Count; i++) changes[i] = new StateChange(keys[i], _writes[keys[i]]);
            return new SortedChangeSet(changes);
        }
        // A block's overlay at the end of execution: tens of thousands of keys, nearly all unsorted. Sorting the
        // (key, value) pairs themselves spares a dictionary lookup (hashing a ~90-character key) per change.
        int at = 0;
        foreach (var (key, value) in _writes) changes[at++] = new StateChange(key, value);
        // ASCII keys (all of them, in practice) sort on their UTF-8 bytes, which the encoding then reuses.
        if (AsciiKeySort.TrySort(changes) is { } set) return set;
        // A struct comparer: the sort is specialised for it and inlines the ordinal compare (a delegate costs a call per compare).
        changes.AsSpan().Sort(new KeyOrder());
        return new SortedChangeSet(changes);
    }

    private readonly struct KeyOrder : IComparer<StateChange>
    {
        public int Compare(StateChange a, StateChange b) => string.CompareOrdinal(a.Key, b.Key);
    }

    private IEnumerable<KeyValuePair<string, byte[]?>> Range(string prefix, string from)
    {
        // Resolved when the scan starts (not at the first MoveNext), so writes made after Scan returns are not seen,
        // as with the store below.
        var keys = SortedKeys();
        int at = keys.BinarySearch(from, StringComparer.Ordinal);
        return RangeFrom(keys, at < 0 ? ~at : at, prefix);
    }

    private IEnumerable<KeyValuePair<string, byte[]?>> RangeFrom(List<string> keys, int at, string prefix)
    {
        for (; at < keys.Count && keys[at].StartsWith(prefix, StringComparison.Ordinal); at++)
            yield return new(keys[at], _writes[keys[at]]);
    }

    private List<string> SortedKeys()
    {
        if (_unsorted.Count == 0) return _sorted;
        var added = _unsorted;
        _unsorted = [];
        added.Sort(StringComparer.Ordinal);
        if (_sorted.Count == 0)
        {
            _sorted = added;
            return _sorted;
        }
        var merged = new List<string>(_sorted.Count + added.Count);
        int i = 0, j = 0;
        while (i < _sorted.Count && j < added.Count)
            merged.Add(string.CompareOrdinal(_sorted[i], added[j]) < 0 ? _sorted[i++] : added[j++]);
        for (; i < _sorted.Count; i++) merged.Add(_sorted[i]);
        for (; j < added.Count; j++) merged.Add(added[j]);
        _sorted = merged;
        return _sorted;
    }

    /// <summary>Number of pending writes.</summary>
    public int Count => _writes.Count;
}
