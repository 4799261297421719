using System.Buffers.Binary;
using System.Text;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// StateRoot(H): the binary Merkle root over every state entry at height H in ordinal key order, shaped as RFC 6962
/// §2.1 like <see cref="Contracts.Ledger.MerkleRoot"/> (keccak256; an inner node is keccak(0x01 ‖ left ‖ right)), with
/// leaf = keccak(0x00 ‖ len(key) ‖ key ‖ len(value) ‖ value), lengths u32 big-endian, key in UTF-8. Unlike the app hash,
/// which chains every block's changes, it is a function of the state alone, so a snapshot's entries can be checked
/// against it. Built in one pass with O(log n) memory: the frontier of complete subtrees, folded right to left at the end
/// (which is exactly RFC 6962's split at the largest power of two below n). Empty state: keccak256("").
/// </summary>
public sealed class StateRoot
{
    // _levels[i] is the root of a complete subtree of 2^i leaves not yet paired, or null.
    private readonly List<Hash32?> _levels = [];
    private string? _lastKey;
    private byte[] _leaf = new byte[256];

    public long Count { get; private set; }

    /// <summary>The root of <paramref name="entries"/> (which must be in strictly increasing ordinal key order).</summary>
    public static Hash32 Of(IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        var root = new StateRoot();
        foreach (var (key, value) in entries) root.Add(key, value);
        return root.Root();
    }

    /// <summary>Adds the next entry; keys must strictly increase (ordinal), as a state scan returns them.</summary>
    public void Add(string key, ReadOnlySpan<byte> value)
    {
        if (_lastKey is not null && string.CompareOrdinal(_lastKey, key) >= 0)
            throw new ArgumentException($"state entries must be in increasing key order: '{key}' after '{_lastKey}'", nameof(key));
        _lastKey = key;
        int keyBytes = Encoding.UTF8.GetByteCount(key), length = 1 + 4 + keyBytes + 4 + value.Length;
        if (_leaf.Length < length) _leaf = new byte[Math.Max(length, 2 * _leaf.Length)];
        var leaf = _leaf.AsSpan(0, length);
        leaf[0] = 0x00;
        BinaryPrimitives.WriteUInt32BigEndian(leaf[1..], (uint)keyBytes);
        Encoding.UTF8.GetBytes(key, leaf[5..]);
        BinaryPrimitives.WriteUInt32BigEndian(leaf[(5 + keyBytes)..], (uint)value.Length);
        value.CopyTo(leaf[(9 + keyBytes)..]);
        var node = Keccak256.Hash(leaf);
        Count++;
        // Carry like a binary counter: two complete subtrees of one size become one of the next.
        for (int level = 0; ; level++)
        {
            if (level == _levels.Count) { _levels.Add(node); return; }
            if (_levels[level] is not { } left) { _levels[level] = node; return; }
            node = Inner(left, node);
            _levels[level] = null;
        }
    }

    /// <summary>The root of the entries added so far.</summary>
    public Hash32 Root()
    {
        Hash32? right = null;
        foreach (var subtree in _levels)
            if (subtree is { } left) right = right is { } r ? Inner(left, r) : left;
        return right ?? Keccak256.Hash(ReadOnlySpan<byte>.Empty);
    }

    private static Hash32 Inner(Hash32 left, Hash32 right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 0x01;
        left.Bytes.CopyTo(buffer[1..]);
        right.Bytes.CopyTo(buffer[33..]);
        return Keccak256.Hash(buffer);
    }
}
