using System.Collections.Concurrent;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// The committed state the mempool's door checks read (<see cref="Mempool"/>), remembered for one height and shared by
/// the threads that admit submissions: every contract's two parties are read once per block instead of once per
/// submission. A read that finds the store at another height than the remembered one starts afresh, so nothing read
/// is older than the height seen before the read (a read may see a block the store is just committing, as the door
/// always could). The door only keeps refused transactions out of blocks — execution re-checks every one against the
/// state at its height — so what this remembers never decides a ledger outcome. Bounded: a full generation starts afresh.
/// Scans pass through. Thread-safe.
/// </summary>
public sealed class DoorStateCache(IStateReader store, Func<ulong> height, int capacity = 100_000) : IStateReader
{
    private sealed class Generation(ulong height)
    {
        public ulong Height { get; } = height;
        public ConcurrentDictionary<string, byte[]?> Entries { get; } = new(StringComparer.Ordinal);
        public int Count; // ConcurrentDictionary.Count takes every lock; this is close enough to bound it
    }

    private Generation _current = new(height());

    /// <summary>The process's memo of decoded values: execution and admission read it through this cache.</summary>
    public IStateDecodings Decodings => DecodedStateCache.Process;

    public byte[]? Get(string key)
    {
        ulong now = height();
        var generation = Volatile.Read(ref _current);
        if (generation.Height != now || Volatile.Read(ref generation.Count) >= capacity)
        {
            generation = new Generation(now);
            Volatile.Write(ref _current, generation);
        }
        if (generation.Entries.TryGetValue(key, out var value)) return value;
        value = store.Get(key);
        if (generation.Entries.TryAdd(key, value)) Interlocked.Increment(ref generation.Count);
        return value;
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => store.Scan(prefix);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) => store.Scan(prefix, from);
}
