using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Contracts.Tests.Ledger;

public class HashingTests
{
    private static Hash32 H(byte b) => Keccak256.Hash(new[] { b }.AsSpan());

    [Fact]
    public void MerkleRoot_Empty_IsKeccakOfEmptyString()
        => Assert.Equal(Hash32.Parse("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"), MerkleRoot.Compute([]));

    [Fact]
    public void MerkleRoot_OneLeaf_IsDomainSeparatedLeafHash()
        => Assert.Equal(Keccak256.HashConcat([0x00], H(1).ToArray()), MerkleRoot.Compute([H(1)]));

    [Fact]
    public void MerkleRoot_ThreeLeaves_SplitsAtLargestPowerOfTwo()
    {
        // RFC 6962 §2.1: MTH(d0,d1,d2) = node(node(leaf d0, leaf d1), leaf d2).
        Hash32 Leaf(Hash32 h) => Keccak256.HashConcat([0x00], h.ToArray());
        Hash32 Node(Hash32 l, Hash32 r) => Keccak256.HashConcat([0x01], l.ToArray(), r.ToArray());
        var expected = Node(Node(Leaf(H(1)), Leaf(H(2))), Leaf(H(3)));
        Assert.Equal(expected, MerkleRoot.Compute([H(1), H(2), H(3)]));
    }

    [Fact]
    public void MerkleRoot_OrderMatters()
        => Assert.NotEqual(MerkleRoot.Compute([H(1), H(2)]), MerkleRoot.Compute([H(2), H(1)]));

    private static BlockHeader Header() => new()
    {
        ChainId = 7, Height = 2, TimeMs = 1_700_000_000_000,
        PreviousHash = ByteString.CopyFrom(new byte[32]), TransactionsRoot = ByteString.CopyFrom(MerkleRoot.Empty.ToArray()),
        AppHash = ByteString.CopyFrom(H(9).ToArray()), Proposer = ByteString.CopyFrom(new byte[20]),
        ValidatorSetHash = ByteString.CopyFrom(H(8).ToArray()), NextValidatorSetHash = ByteString.CopyFrom(H(10).ToArray()),
    };

    [Fact]
    public void BlockHeader_CanonicalLayout_IsFixedWidthBigEndian()
    {
        var bytes = BlockHeaderHashing.Canonical(Header());
        Assert.Equal(204, bytes.Length);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 7 }, bytes[..8]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 2 }, bytes[8..16]);
        // The next validator set comes last, right after the validator set (the layout the EVM anchor recomputes).
        Assert.Equal(H(8).ToArray(), bytes[140..172]);
        Assert.Equal(H(10).ToArray(), bytes[172..204]);
    }

    [Fact]
    public void BlockHeader_EveryFieldChangesTheHash()
    {
        var baseHash = BlockHeaderHashing.Hash(Header());
        var variants = new Action<BlockHeader>[]
        {
            h => h.ChainId++, h => h.Height++, h => h.TimeMs++,
            h => h.PreviousHash = ByteString.CopyFrom(H(1).ToArray()), h => h.TransactionsRoot = ByteString.CopyFrom(H(1).ToArray()),
            h => h.AppHash = ByteString.CopyFrom(H(1).ToArray()), h => h.Proposer = ByteString.CopyFrom(new byte[19].Append((byte)1).ToArray()),
            h => h.ValidatorSetHash = ByteString.CopyFrom(H(1).ToArray()), h => h.NextValidatorSetHash = ByteString.CopyFrom(H(1).ToArray()),
        };
        foreach (var change in variants)
        {
            var header = Header();
            change(header);
            Assert.NotEqual(baseHash, BlockHeaderHashing.Hash(header));
        }
    }

    [Fact]
    public void BlockHeader_WrongWidthField_IsRejectedNamingIt()
    {
        var header = Header();
        header.Proposer = ByteString.CopyFrom(new byte[19]);
        Assert.Contains("proposer must be 20 bytes, got 19", Assert.Throws<FormatException>(() => BlockHeaderHashing.Canonical(header)).Message);
    }
}
