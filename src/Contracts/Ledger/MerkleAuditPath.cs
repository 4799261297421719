using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>
/// The RFC 6962 §2.1.1 audit path of one leaf in the tree <see cref="MerkleRoot"/> builds, and its check (the algorithm of
/// RFC 9162 §2.1.3.2): the sibling hashes from the leaf up, so anyone holding a block's transactions root can prove a
/// transaction is in the block without the other transactions.
/// </summary>
public static class MerkleAuditPath
{
    /// <summary>The path of leaf <paramref name="index"/> among <paramref name="leaves"/>, deepest sibling first.</summary>
    public static IReadOnlyList<Hash32> Of(IReadOnlyList<Hash32> leaves, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leaves.Count);
        var path = new List<Hash32>();
        Collect(leaves, 0, leaves.Count, index, path);
        return path;
    }

    // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) when m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]); k the largest power of two below n.
    private static void Collect(IReadOnlyList<Hash32> leaves, int start, int count, int index, List<Hash32> path)
    {
        if (count == 1) return;
        int split = 1;
        while (split * 2 < count) split *= 2;
        if (index < split)
        {
            Collect(leaves, start, split, index, path);
            path.Add(MerkleRoot.Compute(Slice(leaves, start + split, count - split)));
        }
        else
        {
            Collect(leaves, start + split, count - split, index - split, path);
            path.Add(MerkleRoot.Compute(Slice(leaves, start, split)));
        }
    }

    private static List<Hash32> Slice(IReadOnlyList<Hash32> leaves, int start, int count) => Enumerable.Range(start, count).Select(i => leaves[i]).ToList();

    /// <summary>The root the path leads to from <paramref name="leaf"/> at <paramref name="index"/> of <paramref name="count"/>; null when the path's length does not fit the tree.</summary>
    public static Hash32? RootFrom(Hash32 leaf, long index, long count, IReadOnlyList<Hash32> path)
    {
        if (count < 1 || index < 0 || index >= count) return null;
        long fn = index, sn = count - 1;
        var r = LeafHash(leaf);
        foreach (var p in path)
        {
            if (sn == 0) return null;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else r = Node(r, p);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : null;
    }

    private static Hash32 LeafHash(Hash32 leaf) => Keccak256.HashConcat([0x00], leaf.ToArray());

    private static Hash32 Node(Hash32 left, Hash32 right) => Keccak256.HashConcat([0x01], left.ToArray(), right.ToArray());
}
