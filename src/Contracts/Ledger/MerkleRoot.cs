using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>
/// Binary Merkle root of transaction ids, shaped as RFC 6962 §2.1 (split at the largest power of two below n)
/// with keccak256 and domain-separated leaves (0x00) and inner nodes (0x01), so a leaf can never pass for a node.
/// </summary>
public static class MerkleRoot
{
    /// <summary>The root of an empty block: keccak256 of the empty string (RFC 6962 MTH({})).</summary>
    public static readonly Hash32 Empty = Keccak256.Hash(ReadOnlySpan<byte>.Empty);

    /// <summary>The root over <paramref name="leaves"/> in order.</summary>
    public static Hash32 Compute(IReadOnlyList<Hash32> leaves)
        => leaves.Count == 0 ? Empty : Node(leaves, 0, leaves.Count);

    private static Hash32 Node(IReadOnlyList<Hash32> leaves, int start, int count)
    {
        Span<byte> buffer = stackalloc byte[65];
        if (count == 1)
        {
            buffer[0] = 0x00;
            leaves[start].Bytes.CopyTo(buffer[1..]);
            return Keccak256.Hash(buffer[..33]);
        }
        int split = 1;
        while (split * 2 < count) split *= 2;
        var left = Node(leaves, start, split);
        var right = Node(leaves, start + split, count - split);
        buffer[0] = 0x01;
        left.Bytes.CopyTo(buffer[1..]);
        right.Bytes.CopyTo(buffer[33..]);
        return Keccak256.Hash(buffer);
    }
}
