using System.Collections.Concurrent;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// A thread-safe memo of a pure function's recent results, bounded by <paramref name="capacity"/>: once full it starts
/// afresh rather than evicting one by one. For hashes only (what is held is a function of its key), so a hit or a miss
/// can change how long an answer takes, never the answer.
/// </summary>
internal sealed class BoundedMemo<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private sealed class Generation(IEqualityComparer<TKey>? comparer)
    {
        public ConcurrentDictionary<TKey, TValue> Values { get; } = new(comparer);
        public int Count; // ConcurrentDictionary.Count takes every lock; this is close enough to bound it
    }

    private Generation _current = new(comparer);

    public int Capacity { get; } = capacity;

    public bool TryGet(TKey key, out TValue value) => Volatile.Read(ref _current).Values.TryGetValue(key, out value!);

    public void Hold(TKey key, TValue value)
    {
        var generation = Volatile.Read(ref _current);
        if (Volatile.Read(ref generation.Count) >= Capacity) Volatile.Write(ref _current, generation = new Generation(comparer));
        if (generation.Values.TryAdd(key, value)) Interlocked.Increment(ref generation.Count);
    }
}
