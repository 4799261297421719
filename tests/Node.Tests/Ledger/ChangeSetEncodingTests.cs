using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>The stored change set of a block is exactly the byte string its app hash covers, and decodes back.</summary>
public sealed class ChangeSetEncodingTests
{
    private static readonly StateChange[] Sample =
    [
        new("acct/0xab", [1, 2, 3]), new("contract-by-interval/1/x", []), new("offer/é", null), new("z", new byte[300]),
    ];

    [Fact]
    public void AppHash_IsKeccakOfPreviousAndKeccakOfTheEncodedChangeSet()
    {
        var previous = Keccak256.Hash("previous"u8);
        var expected = Keccak256.HashConcat(previous.ToArray(), Keccak256.Hash(ChangeSetEncoding.Encode(Sample)).ToArray());
        Assert.Equal(expected, AppHash.Next(previous, Sample));
    }

    [Fact]
    public void Decode_OfEncode_IsTheSameChanges()
    {
        var decoded = ChangeSetEncoding.Decode(ChangeSetEncoding.Encode(Sample));
        Assert.Equal(Sample.Select(c => c.Key), decoded.Select(c => c.Key));
        Assert.Equal(Sample.Select(c => c.Value is null ? "deleted" : Convert.ToHexString(c.Value)), decoded.Select(c => c.Value is null ? "deleted" : Convert.ToHexString(c.Value)));
        Assert.Empty(ChangeSetEncoding.Decode([]));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0 }, "key length at byte 0 runs past the end")]
    [InlineData(new byte[] { 0, 0, 0, 5, 65 }, "key of 5 bytes at byte 4 runs past the end")]
    [InlineData(new byte[] { 0, 0, 0, 1, 65 }, "no set/delete flag")]
    [InlineData(new byte[] { 0, 0, 0, 1, 65, 2, 0, 0, 0, 0 }, "no set/delete flag (0 or 1) at byte 5")]
    [InlineData(new byte[] { 0, 0, 0, 1, 65, 0, 0, 0, 0, 1, 9 }, "delete of 'A' carries 1 value bytes")]
    [InlineData(new byte[] { 0, 0, 0, 1, 65, 1, 0, 0, 0, 9, 9 }, "value of 9 bytes at byte 10 runs past the end")]
    public void Decode_Malformed_ThrowsNamingTheOffset(byte[] bytes, string expected)
        => Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => ChangeSetEncoding.Decode(bytes)).Message);
}
