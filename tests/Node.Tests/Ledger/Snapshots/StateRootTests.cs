using System.Buffers.Binary;
using System.Text;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger.Snapshots;

/// <summary>
/// StateRoot(H) as the lead's design defines it: RFC 6962 §2.1's tree shape (split at the largest power of two below n)
/// over leaves keccak(0x00 ‖ len(key) ‖ key ‖ len(value) ‖ value) in key order, inner nodes keccak(0x01 ‖ l ‖ r). The
/// streaming builder is checked against the recursive definition written out here.
/// </summary>
public sealed class StateRootTests
{
    private static byte[] Leaf(string key, byte[] value)
    {
        var k = Encoding.UTF8.GetBytes(key);
        var leaf = new byte[1 + 4 + k.Length + 4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(leaf.AsSpan(1), (uint)k.Length);
        k.CopyTo(leaf, 5);
        BinaryPrimitives.WriteUInt32BigEndian(leaf.AsSpan(5 + k.Length), (uint)value.Length);
        value.CopyTo(leaf, 9 + k.Length);
        return leaf;
    }

    // RFC 6962 §2.1, MTH(D[n]), with the leaves already hashed.
    private static Hash32 Reference(IReadOnlyList<Hash32> leaves, int start, int count)
    {
        if (count == 1) return leaves[start];
        int k = 1;
        while (k * 2 < count) k *= 2;
        return Keccak256.HashConcat([0x01], Reference(leaves, start, k).ToArray(), Reference(leaves, start + k, count - k).ToArray());
    }

    private static List<KeyValuePair<string, byte[]>> Entries(int n)
        => Enumerable.Range(0, n).Select(i => KeyValuePair.Create($"acct/{i:D4}", Encoding.ASCII.GetBytes($"value-{i * 7919 % 101}"))).ToList();

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(7)] [InlineData(8)]
    [InlineData(9)] [InlineData(16)] [InlineData(17)] [InlineData(31)] [InlineData(33)] [InlineData(100)]
    public void Root_IsTheRfc6962TreeOverTheDomainSeparatedLeaves(int n)
    {
        var entries = Entries(n);
        var leaves = entries.Select(e => Keccak256.Hash(Leaf(e.Key, e.Value))).ToList();
        Assert.Equal(Reference(leaves, 0, n), StateRoot.Of(entries));
    }

    [Fact]
    public void EmptyState_IsKeccakOfNothing_AndOneEntry_IsItsLeafHash()
    {
        Assert.Equal(Keccak256.Hash(ReadOnlySpan<byte>.Empty), StateRoot.Of([]));
        // Pinned by hand: 0x00 ‖ 00000001 ‖ "k" ‖ 00000002 ‖ 0xbeef.
        var leaf = new byte[] { 0x00, 0, 0, 0, 1, (byte)'k', 0, 0, 0, 2, 0xbe, 0xef };
        Assert.Equal(Keccak256.Hash(leaf), StateRoot.Of([KeyValuePair.Create("k", new byte[] { 0xbe, 0xef })]));
    }

    [Fact]
    public void AnyChange_ChangesTheRoot_AndALeafNeverPassesForAnInnerNode()
    {
        var entries = Entries(6);
        var root = StateRoot.Of(entries);
        var changed = entries.ToList();
        changed[3] = KeyValuePair.Create(changed[3].Key, new byte[] { 1 });
        Assert.NotEqual(root, StateRoot.Of(changed));
        Assert.NotEqual(root, StateRoot.Of(entries.Take(5)));
        // Moving bytes between key and value changes the leaf (the lengths are hashed).
        Assert.NotEqual(StateRoot.Of([KeyValuePair.Create("ab", new byte[] { 0x63 })]), StateRoot.Of([KeyValuePair.Create("a", "bc"u8.ToArray())]));
    }

    [Fact]
    public void EntriesOutOfKeyOrder_AreRefused()
    {
        var root = new StateRoot();
        root.Add("b", [1]);
        Assert.Throws<ArgumentException>(() => root.Add("a", [1]));
        Assert.Throws<ArgumentException>(() => root.Add("b", [2]));
    }
}
