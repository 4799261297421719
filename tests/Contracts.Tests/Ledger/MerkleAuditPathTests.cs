using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Contracts.Tests.Ledger;

/// <summary>RFC 6962 §2.1.1 audit paths over <see cref="MerkleRoot"/>'s tree, checked by the RFC 9162 §2.1.3.2 algorithm.</summary>
public class MerkleAuditPathTests
{
    private static List<Hash32> Leaves(int n) => Enumerable.Range(0, n).Select(i => Keccak256.Hash(BitConverter.GetBytes(i))).ToList();

    [Fact]
    public void EveryLeafOfTreesUpTo33_LeadsToTheRoot()
    {
        for (int n = 1; n <= 33; n++)
        {
            var leaves = Leaves(n);
            var root = MerkleRoot.Compute(leaves);
            for (int i = 0; i < n; i++)
                Assert.Equal(root, MerkleAuditPath.RootFrom(leaves[i], i, n, MerkleAuditPath.Of(leaves, i)));
        }
    }

    [Fact]
    public void SevenLeaves_PathOfLeaf5_IsRfc6962sExample()
    {
        // RFC 6962 §2.1.3: the path for leaf 5 (f) of a 7-leaf tree is [e, hash(g), hash(a..d)] — e and g as leaf hashes.
        var leaves = Leaves(7);
        Hash32 Leaf(int i) => MerkleRoot.Compute([leaves[i]]);
        Assert.Equal([Leaf(4), Leaf(6), MerkleRoot.Compute(leaves[..4])], MerkleAuditPath.Of(leaves, 5));
    }

    [Fact]
    public void PathOfAnotherLeafOrPosition_DoesNotLeadToTheRoot()
    {
        var leaves = Leaves(6);
        var root = MerkleRoot.Compute(leaves);
        var path = MerkleAuditPath.Of(leaves, 2);
        Assert.NotEqual(root, MerkleAuditPath.RootFrom(leaves[3], 2, 6, path));
        Assert.NotEqual(root, MerkleAuditPath.RootFrom(leaves[2], 3, 6, path));
        // A path too short or too long for the tree leads nowhere.
        Assert.Null(MerkleAuditPath.RootFrom(leaves[2], 2, 6, path.Take(path.Count - 1).ToList()));
        Assert.Null(MerkleAuditPath.RootFrom(leaves[2], 2, 6, [.. path, path[0]]));
        Assert.Null(MerkleAuditPath.RootFrom(leaves[2], 6, 6, path));
    }

    [Fact]
    public void OneLeaf_HasAnEmptyPath()
    {
        var leaves = Leaves(1);
        Assert.Empty(MerkleAuditPath.Of(leaves, 0));
        Assert.Equal(MerkleRoot.Compute(leaves), MerkleAuditPath.RootFrom(leaves[0], 0, 1, []));
    }
}
