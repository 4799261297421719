using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Contracts.Tests.Ledger;

/// <summary>The one reading of an address or hash field, and the one wording of a wrong size, in the caller's exception.</summary>
public sealed class FieldBytesTests
{
    private static InvalidOperationException Refuse(string message) => new(message);

    [Fact]
    public void Address_ReadsTwentyBytes()
    {
        var address = PrivateKey.Generate().Address;
        Assert.Equal(address, FieldBytes.Address(ByteString.CopyFrom(address.Bytes), "maker", Refuse));
    }

    [Fact]
    public void Address_OfAnotherSize_IsRefusedNamingTheFieldAndSize()
    {
        var e = Assert.Throws<InvalidOperationException>(() => FieldBytes.Address(ByteString.CopyFrom(1, 2, 3), "maker", Refuse));
        Assert.Equal("maker must be a 20-byte address, got 3 bytes", e.Message);
    }

    [Fact]
    public void Hash_OfAnotherSize_IsRefusedNamingTheFieldAndSize()
    {
        Assert.Equal(Hash32.Zero, FieldBytes.Hash(ByteString.CopyFrom(new byte[32]), "offerId", Refuse));
        var e = Assert.Throws<InvalidOperationException>(() => FieldBytes.Hash(ByteString.Empty, "offerId", Refuse));
        Assert.Equal("offerId must be 32 bytes, got 0", e.Message);
    }
}
