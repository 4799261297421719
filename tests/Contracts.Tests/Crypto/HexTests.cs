using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

public sealed class HexTests
{
    [Fact]
    public void Encode_IsLowerCaseWithOrWithoutPrefix()
    {
        Assert.Equal("0x00ff10ab", Hex.Encode([0x00, 0xFF, 0x10, 0xAB]));
        Assert.Equal("00ff10ab", Hex.Encode([0x00, 0xFF, 0x10, 0xAB], prefix: false));
        Assert.Equal("0x", Hex.Encode([]));
    }

    [Fact]
    public void Encode_WithSurroundingText_IsTheConcatenation()
    {
        var random = new Random(3);
        foreach (int length in new[] { 0, 1, 20, 32, 255, 300 }) // 300 bytes: past the stack buffer
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            Assert.Equal("acct/" + Hex.Encode(bytes) + "/tail", Hex.Encode("acct/", bytes, "/tail"));
            Assert.Equal(Hex.Encode(bytes), Hex.Encode("", bytes, ""));
        }
    }
}
