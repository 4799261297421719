using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

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
/// million keys. One writer at a time (the store's write lock); any number of concurrent readers.
/// <para>Blocked: a key's 7 bits all lie in one 512-bit block (one 64-byte cache line), chosen by one 64-bit hash.
/// Seven probes spread over a filter of megabytes were seven cache misses per layer, and the store's commit tests every
/// changed key against every layer: <c>AddToFilters</c> was ≈1 % of a validator's CPU. Blocking costs a little
/// accuracy (≈1.1 % false positives at capacity instead of ≈0.8 %). The hash reads a key four UTF-16 units at a time
/// (the character-at-a-time FNV pass it replaces was most of the hashing) and is seeded per process, so the filter, which
/// lives only in memory, never reaches consensus.</para>
/// </remarks>
internal sealed class MembershipFilter
{
    private const int BitsPerKey = 10, Probes = 7, BlockWords = 8, BlockBits = BlockWords * 64;
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private volatile Layer[] _layers;
    private long _count;

    public MembershipFilter(long initialCapacity = 1 << 16) => _layers = [new Layer(Math.Max(1024, initialCapacity))];

    /// <summary>Keys added that did not already test present.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Bytes of bit arrays held.</summary>
    public long Bytes => _layers.Sum(l => l.Bytes);

    /// <summary>False only if <paramref name="key"/> was never added.</summary>
    public bool MayContain(string key) => MayContain(Hash(MemoryMarshal.AsBytes(key.AsSpan())));

    public bool MayContain(ReadOnlySpan<byte> id) => MayContain(Hash(id));

    public void Add(string key) => Add(Hash(MemoryMarshal.AsBytes(key.AsSpan())));

    public void Add(ReadOnlySpan<byte> id) => Add(Hash(id));

    private bool MayContain(ulong hash)
    {
        foreach (var layer in _layers)
            if (layer.MayContain(hash)) return true;
        return false;
    }

    private void Add(ulong hash)
    {
        // A key that already tests present (added before, or a false positive whose bits are all set, and bits are
        // never cleared) needs nothing: so rewriting existing keys, block after block, does not grow the filter.
        if (MayContain(hash)) return;
        var layers = _layers;
        var newest = layers[^1];
        if (newest.Count >= newest.Capacity)
        {
            newest = new Layer(checked(newest.Capacity * 2));
            _layers = [.. layers, newest];
        }
        newest.Add(hash);
        Interlocked.Increment(ref _count);
    }

    /// <summary>A seeded multiply-rotate hash over 8-byte words with a final avalanche: every input byte and the length count.</summary>
    internal static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong K1 = 0x9E37_79B9_7F4A_7C15, K2 = 0xC2B2_AE3D_27D4_EB4F;
        ulong h = Seed ^ ((ulong)bytes.Length * K1);
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words) h = BitOperations.RotateLeft(h ^ (word * K2), 29) * K1;
        int rest = bytes.Length - words.Length * 8;
        if (rest > 0)
        {
            ulong tail = 0;
            for (int i = bytes.Length - 1; i >= bytes.Length - rest; i--) tail = (tail << 8) | bytes[i];
            h = BitOperations.RotateLeft(h ^ (tail * K2), 29) * K1;
        }
        h ^= h >> 33;
        h *= 0xFF51_AFD7_ED55_8CCD;
        h ^= h >> 33;
        h *= 0xC4CE_B9FE_1A85_EC53;
        return h ^ (h >> 33);
    }

    private sealed class Layer(long capacity)
    {
        private readonly ulong[] _bits = new ulong[checked(BlockCount(capacity) * BlockWords)];
        private long _count;

        public long Capacity { get; } = capacity;
        public long Count => Interlocked.Read(ref _count);
        public long Bytes => _bits.LongLength * 8;

        private static long BlockCount(long capacity) => Math.Max(1, checked(capacity * BitsPerKey + BlockBits - 1) / BlockBits);

        // The block from the high 32 bits (multiply-shift onto the block count, no division); the 7 bit positions in it
        // from a second mix of the hash, 9 bits each.
        private int First(ulong hash) => (int)(((hash >> 32) * (ulong)(_bits.Length / BlockWords)) >> 32) * BlockWords;

        private static ulong Positions(ulong hash) => (hash ^ (hash >> 29)) * 0xBF58_476D_1CE4_E5B9;

        public bool MayContain(ulong hash)
        {
            int first = First(hash);
            ulong positions = Positions(hash);
            for (int i = 0; i < Probes; i++, positions >>= 9)
            {
                int bit = (int)(positions & (BlockBits - 1));
                if ((Volatile.Read(ref _bits[first + (bit >> 6)]) & (1UL << (bit & 63))) == 0) return false;
            }
            return true;
        }

        public void Add(ulong hash)
        {
            int first = First(hash);
            ulong positions = Positions(hash);
            for (int i = 0; i < Probes; i++, positions >>= 9)
            {
                int bit = (int)(positions & (BlockBits - 1));
                Interlocked.Or(ref _bits[first + (bit >> 6)], 1UL << (bit & 63));
            }
            Interlocked.Increment(ref _count);
        }
    }
}
