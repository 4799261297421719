using System.Security.Cryptography;
using System.Text;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

/// <summary>Vectors from go-ethereum crypto/crypto_test.go (via shared/reference/vectors.md).</summary>
public class Keccak256Tests
{
    [Theory]
    [InlineData("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    public void GoEthereum_Keccak256Vectors(string input, string expected)
        => Assert.Equal("0x" + expected, Keccak256.Hash(Encoding.ASCII.GetBytes(input)).ToString());

    [Fact]
    public void Trap_NistSha3_IsNotKeccak()
    {
        // vectors.md: .NET SHA3_256 pads with 0x06 (NIST), Ethereum's keccak with 0x01.
        if (!SHA3_256.IsSupported) return;
        Assert.NotEqual(SHA3_256.HashData([]), Keccak256.Hash(ReadOnlySpan<byte>.Empty).ToArray());
    }

    [Fact]
    public void MultiPartHash_EqualsHashOfConcatenation()
    {
        byte[] a = [1, 2, 3], b = new byte[200];
        Assert.Equal(Keccak256.Hash([.. a, .. b]), Keccak256.HashConcat(a, b));
    }

    [Fact]
    public void SpanOutput_TooShort_Throws()
        => Assert.Throws<ArgumentException>(() => Keccak256.Hash(new byte[] { 1 }.AsSpan(), new byte[31]));
}
