using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// A read-through cache of committed state for the one thread that executes blocks. The node is the only writer of
/// its store, and after each commit the block's changes are applied here, so an entry stays true until a block
/// changes that key. Bounded: it empties itself when full. Absent keys are not cached: most are ids looked up once
/// (every new contract's replay check), whose entries were never read again yet filled the cache and lived long
/// enough to become old-generation garbage; the store answers absence from its membership filter without SQLite.
/// Scans pass through to the store. Not thread-safe.
/// </summary>
public sealed class CommittedStateCache(IStateReader store, int capacity = 1_000_000) : IStateReader
{
    private readonly Dictionary<string, byte[]?> _entries = new(StringComparer.Ordinal); // null: deleted by an applied block

    /// <summary>The process's memo of decoded values: execution and admission read it through this cache.</summary>
    public IStateDecodings Decodings => DecodedStateCache.Process;

    public byte[]? Get(string key)
    {
        if (_entries.TryGetValue(key, out var cached)) return cached;
        var value = store.Get(key);
        if (value is null) return null;
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[key] = value;
        return value;
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => store.Scan(prefix);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) => store.Scan(prefix, from);

    /// <summary>Records a committed block's changes; call only after the store committed them.</summary>
    public void Apply(IReadOnlyList<StateChange> changes)
    {
        foreach (var change in changes)
        {
            // Only keys already cached need updating; the rest are read through on demand. One lookup per change.
            ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, change.Key);
            if (!Unsafe.IsNullRef(ref slot)) slot = change.Value;
        }
    }

    /// <summary>Forgets everything (after a failed commit, when the store's state is what it was).</summary>
    public void Clear() => _entries.Clear();

    public int Count => _entries.Count;
}
