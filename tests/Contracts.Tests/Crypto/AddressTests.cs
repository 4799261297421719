using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

/// <summary>ERC-55 checksum vectors (EIP-55 "Test Cases") and strict parsing.</summary>
public class AddressTests
{
    public static TheoryData<string> Eip55Vectors() =>
    [
        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    [Fact]
    public void FromPublicKey_HeldOrNot_IsTheLast20BytesOfKeccak_EvenPastTheMemosCapacity()
    {
        // The memo of signer addresses may only skip the hash: every answer, first or repeated, before and after the
        // memo starts afresh, is keccak256(key)[12..].
        const int seed = 1215;
        var random = new Random(seed);
        var keys = new byte[SignerAddressMemo.Capacity + 100][];
        for (int i = 0; i < keys.Length; i++) random.NextBytes(keys[i] = new byte[64]);
        foreach (var pass in new[] { "first", "repeated" })
            for (int i = 0; i < keys.Length; i += pass == "first" ? 1 : 97)
            {
                var expected = Keccak256.Hash(keys[i]).Bytes[12..].ToArray();
                Assert.True(expected.AsSpan().SequenceEqual(Address.FromPublicKey(keys[i]).Bytes), $"seed {seed}, key {i}, {pass}");
            }
    }

    [Theory, MemberData(nameof(Eip55Vectors))]
    public void Eip55_FormatsChecksum(string vector)
        => Assert.Equal(vector, Address.Parse(vector).ToString());

    [Theory, MemberData(nameof(Eip55Vectors))]
    public void Eip55_AllLowerAndAllUpper_AreAccepted(string vector)
    {
        Assert.Equal(vector, Address.Parse("0x" + vector[2..].ToLowerInvariant()).ToString());
        Assert.Equal(vector, Address.Parse("0x" + vector[2..].ToUpperInvariant()).ToString());
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")] // last letter's case flipped
    [InlineData("0xFb6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    public void Eip55_MixedCaseWithWrongChecksum_IsRejected(string text)
    {
        var e = Assert.Throws<FormatException>(() => Address.Parse(text));
        Assert.Contains("checksum", e.Message);
        Assert.Contains(text, e.Message);
    }

    [Theory]
    [InlineData("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "40 hex digits")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedff", "40 hex digits")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAez", "non-hex")]
    public void Parse_Malformed_NamesTheProblem(string text, string expected)
        => Assert.Contains(expected, Assert.Throws<FormatException>(() => Address.Parse(text)).Message);

    [Fact]
    public void GoEthereum_PrivateKeyToAddress()
    {
        // go-ethereum crypto_test.go testPrivHex / testAddrHex.
        var key = PrivateKey.Parse("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032");
        Assert.Equal(Address.Parse("0x970e8128ab834e8eac17ab8e3812f010678cf791"), key.Address);
    }
}
