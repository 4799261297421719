using System.Runtime.InteropServices;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// A Bloom filter that grows: "certainly absent" or "maybe present" for the keys (or ids) a store holds, so the store
/// answers most lookups of keys it does not have without a database read. Every new contract's replay check and every
/// submitted transaction's duplicate check is such a lookup — a SQLite read each, contended across threads, was a
/// fifth of the node's CPU under load. No false negatives: the writer adds a key before the key becomes readable.
/// False positives (≈1 % at capacity) only cost the read the store would have done anyway.
/// </summary>
/// <remarks>
/// Layers of doubling capacity: when the newest is full a larger one is added, so the filter never needs the keys
/// again (deleted keys stay in it, which is only a false positive). 10 bits and 7 probes per key; about 1.2 MiB per
/// million keys. One writer at a time (the store's write lock); any number of concurrent readers. Hashes are the
/// process-randomised string hash (Marvin) and a second, independent one, combined by double hashing; the filter
/// lives only in memory, so its randomisation never reaches consensus.
/// </remarks>
internal sealed class MembershipFilter
{
    private const int BitsPerKey = 10, Probes = 7;
    private volatile Layer[] _layers;
    private long _count;

    public MembershipFilter(long initialCapacity = 1 << 16) => _layers = [new Layer(Math.Max(1024, initialCapacity))];

    /// <summary>Keys added that did not already test present.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Bytes of bit arrays held.</summary>
    public long Bytes => _layers.Sum(l => l.Bytes);

    /// <summary>False only if <paramref name="key"/> was never added.</summary>
    public bool MayContain(string key) => MayContain(Hashes(key));

    public bool MayContain(ReadOnlySpan<byte> id) => MayContain(Hashes(id));

    public void Add(string key) => Add(Hashes(key));

    public void Add(ReadOnlySpan<byte> id) => Add(Hashes(id));

    private bool MayContain((uint, uint) hashes)
    {
        foreach (var layer in _layers)
            if (layer.MayContain(hashes)) return true;
        return false;
    }

    private void Add((uint, uint) hashes)
    {
        // A key that already tests present (added before, or a false positive whose bits are all set, and bits are
        // never cleared) needs nothing: so rewriting existing keys, block after block, does not grow the filter.
        if (MayContain(hashes)) return;
        var layers = _layers;
        var newest = layers[^1];
        if (newest.Count >= newest.Capacity)
        {
            newest = new Layer(checked(newest.Capacity * 2));
            _layers = [.. layers, newest];
        }
        newest.Add(hashes);
        Interlocked.Increment(ref _count);
    }

    private static (uint, uint) Hashes(string key)
    {
        uint second = 2_166_136_261; // FNV-1a over the UTF-16 code units
        foreach (char c in key) second = (second ^ c) * 16_777_619;
        return ((uint)StringComparer.Ordinal.GetHashCode(key), second | 1);
    }

    private static (uint, uint) Hashes(ReadOnlySpan<byte> id)
    {
        var chars = MemoryMarshal.Cast<byte, char>(id.Length % 2 == 0 ? id : id[..^1]);
        uint first = (uint)string.GetHashCode(chars);
        uint second = 2_166_136_261;
        foreach (byte b in id) second = (second ^ b) * 16_777_619;
        return (first, second | 1);
    }

    private sealed class Layer(long capacity)
    {
        private readonly ulong[] _bits = new ulong[Math.Max(1, checked(capacity * BitsPerKey + 63) / 64)];
        private long _count;

        public long Capacity { get; } = capacity;
        public long Count => Interlocked.Read(ref _count);
        public long Bytes => _bits.LongLength * 8;
        private ulong Size => (ulong)_bits.Length * 64;

        public bool MayContain((uint First, uint Second) h)
        {
            for (uint i = 0; i < Probes; i++)
            {
                ulong bit = ((ulong)h.First + i * (ulong)h.Second) % Size;
                if ((Volatile.Read(ref _bits[bit >> 6]) & (1UL << (int)(bit & 63))) == 0) return false;
            }
            return true;
        }

        public void Add((uint First, uint Second) h)
        {
            for (uint i = 0; i < Probes; i++)
            {
                ulong bit = ((ulong)h.First + i * (ulong)h.Second) % Size;
                Interlocked.Or(ref _bits[bit >> 6], 1UL << (int)(bit & 63));
            }
            Interlocked.Increment(ref _count);
        }
    }
}
