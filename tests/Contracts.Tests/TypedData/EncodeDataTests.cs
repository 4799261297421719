using System.Text;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>
/// EIP-712 "Definition of encodeData", one rule a test: each builds the expected hashStruct by hand from the
/// rule's words (keccak256(typeHash ‖ enc(v))) and compares it with the encoder's.
/// </summary>
public sealed class EncodeDataTests
{
    private static Hash32 ExpectedHashStruct(string type, params byte[][] encodedMembers)
    {
        var typeHash = Keccak256.Hash(Encoding.UTF8.GetBytes($"T({type} v)")).ToArray();
        return Keccak256.HashConcat([typeHash, .. encodedMembers]);
    }

    private static byte[] Word(string hex) => Hex.Decode(hex.PadLeft(64, '0'));
    private static byte[] Repeat(byte b) => Enumerable.Repeat(b, 32).ToArray();

    [Theory]
    [InlineData("int256", "-1")]
    [InlineData("int256", "\"-1\"")]
    [InlineData("int256", "\"-0x1\"")]
    [InlineData("int8", "-1")]
    public void IntN_Negative_IsSignExtendedTwosComplementTo256Bits(string type, string value)
        => Assert.Equal(ExpectedHashStruct(type, Repeat(0xff)), TypedDataJson.ParseSingle(type, value).MessageHash);

    [Fact]
    public void Int256_Minimum_IsTopBitOnly()
    {
        var min = "\"-57896044618658097711785492504343953926634992332820282019728792003956564819968\"";
        Assert.Equal(ExpectedHashStruct("int256", Word("8" + new string('0', 63))), TypedDataJson.ParseSingle("int256", min).MessageHash);
    }

    [Fact]
    public void Int64_MinusTwo_IsFfffTheFe()
    {
        var word = Repeat(0xff);
        word[31] = 0xfe;
        Assert.Equal(ExpectedHashStruct("int64", word), TypedDataJson.ParseSingle("int64", "-2").MessageHash);
    }

    [Theory]
    [InlineData("4660")]
    [InlineData("\"4660\"")]
    [InlineData("\"0x1234\"")]
    [InlineData("\"0X1234\"")]
    [InlineData("\"004660\"")]
    public void UintN_AcceptsJsonNumberDecimalStringAndHexString(string value)
        => Assert.Equal(ExpectedHashStruct("uint16", Word("1234")), TypedDataJson.ParseSingle("uint16", value).MessageHash);

    [Fact]
    public void Bool_IsUint256ZeroOrOne()
    {
        Assert.Equal(ExpectedHashStruct("bool", Word("1")), TypedDataJson.ParseSingle("bool", "true").MessageHash);
        Assert.Equal(ExpectedHashStruct("bool", Word("0")), TypedDataJson.ParseSingle("bool", "false").MessageHash);
    }

    [Theory]
    [InlineData("\"0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826\"")]
    [InlineData("\"0xCD2A3D9F938E13CD947EC05ABC7FE734DF8DD826\"")]
    [InlineData("\"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826\"")]
    public void Address_IsUint160LeftPadded_InAnyCaseAddressParseAccepts(string value)
        => Assert.Equal(ExpectedHashStruct("address", Word("cd2a3d9f938e13cd947ec05abc7fe734df8dd826")),
            TypedDataJson.ParseSingle("address", value).MessageHash);

    [Fact]
    public void BytesN_IsRightPaddedWithZeros()
    {
        var word = new byte[32];
        word[0] = 0xde; word[1] = 0xad; word[2] = 0xbe;
        Assert.Equal(ExpectedHashStruct("bytes3", word), TypedDataJson.ParseSingle("bytes3", "\"0xdeadbe\"").MessageHash);
    }

    [Fact]
    public void Bytes_IsKeccakOfContent()
        => Assert.Equal(ExpectedHashStruct("bytes", Keccak256.Hash(new byte[] { 0x01, 0x02 }.AsSpan()).ToArray()),
            TypedDataJson.ParseSingle("bytes", "\"0x0102\"").MessageHash);

    [Fact]
    public void String_IsKeccakOfUtf8()
        => Assert.Equal(ExpectedHashStruct("string", Keccak256.Hash(Encoding.UTF8.GetBytes("Wh ⚡")).ToArray()),
            TypedDataJson.ParseSingle("string", "\"Wh ⚡\"").MessageHash);

    [Fact]
    public void FixedArray_IsKeccakOfConcatenatedEncodings()
        => Assert.Equal(ExpectedHashStruct("uint8[3]", Keccak256.HashConcat(Word("1"), Word("2"), Word("3")).ToArray()),
            TypedDataJson.ParseSingle("uint8[3]", "[1, 2, 3]").MessageHash);

    [Fact]
    public void EmptyDynamicArray_IsKeccakOfNothing()
        => Assert.Equal(ExpectedHashStruct("address[]", Keccak256.Hash(ReadOnlySpan<byte>.Empty).ToArray()),
            TypedDataJson.ParseSingle("address[]", "[]").MessageHash);

    [Fact]
    public void NestedArray_EncodesEachInnerArrayAsItsHash()
    {
        // int8[2][] = dynamic array of int8[2]: the outer hash covers the inner arrays' hashes.
        var inner0 = Keccak256.HashConcat(Word("1"), Repeat(0xff)).ToArray();
        var inner1 = Keccak256.HashConcat(Word("0"), Word("7f")).ToArray();
        Assert.Equal(ExpectedHashStruct("int8[2][]", Keccak256.HashConcat(inner0, inner1).ToArray()),
            TypedDataJson.ParseSingle("int8[2][]", "[[1, -1], [0, 127]]").MessageHash);
    }

    [Fact]
    public void ArrayOfStructs_EncodesEachItemAsItsHashStruct()
    {
        var sTypeHash = Keccak256.Hash(Encoding.UTF8.GetBytes("S(uint8 a)")).ToArray();
        var item = Keccak256.HashConcat(sTypeHash, Word("5")).ToArray();
        var typeHash = Keccak256.Hash(Encoding.UTF8.GetBytes("T(S[] v)S(uint8 a)")).ToArray();
        var expected = Keccak256.HashConcat(typeHash, Keccak256.HashConcat(item, item).ToArray());
        var document = TypedDataJson.ParseSingle("S[]", """[{ "a": 5 }, { "a": "0x05" }]""", """ "S": [ { "name": "a", "type": "uint8" } ] """);
        Assert.Equal(expected, document.MessageHash);
    }
}
