using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>The C# builder (<see cref="StructType"/>, <see cref="StructValue"/>, <see cref="ITypedStruct"/>) refuses what the JSON path refuses, where it is written.</summary>
public sealed class StructBuilderTests
{
    [Fact]
    public void SettingAnUndeclaredMember_IsRefused()
    {
        var e = Assert.Throws<TypedDataException>(() => Person.Eip712Type.NewValue().Set("nme", "Cow"));
        Assert.Equal("Person.nme", e.Path);
    }

    [Fact]
    public void SettingAMemberTwice_IsRefused()
        => Assert.Throws<TypedDataException>(() => Person.Eip712Type.NewValue().Set("name", "Cow").Set("name", "Bob"));

    [Fact]
    public void HashingWithAMemberUnset_NamesIt()
    {
        var e = Assert.Throws<TypedDataException>(() => Person.Eip712Type.NewValue().Set("name", "Cow").HashStruct());
        Assert.Equal("message.wallet", e.Path);
    }

    [Fact]
    public void ValueOutOfRange_IsRefusedAtHashing()
    {
        var type = new StructType("Reading").Field("wh", "uint32");
        Assert.Equal(type.NewValue().Set("wh", uint.MaxValue).HashStruct(), type.NewValue().Set("wh", "0xffffffff").HashStruct());
        var e = Assert.Throws<TypedDataException>(() => type.NewValue().Set("wh", 1UL << 32).HashStruct());
        Assert.Equal("message.wh", e.Path);
        Assert.Contains("out of range for uint32", e.Message);
    }

    [Fact]
    public void StructReferencedByName_IsRefused_SoTheTypeAlwaysCarriesItsDependencies()
        => Assert.Throws<TypedDataException>(() => new StructType("Mail").Field("from", "Person"));

    [Theory]
    [InlineData("[]x")]
    [InlineData("x")]
    public void BadArraySuffix_IsRefused(string suffix)
        => Assert.Throws<TypedDataException>(() => new StructType("Mail").Field("to", Person.Eip712Type, suffix));

    [Theory]
    [InlineData("uint8")]
    [InlineData("Bad Name")]
    public void BadStructName_IsRefused(string name) => Assert.Throws<TypedDataException>(() => new StructType(name));

    [Fact]
    public void DuplicateMember_IsRefused()
        => Assert.Throws<TypedDataException>(() => new StructType("P").Field("a", "bool").Field("a", "bool"));

    [Fact]
    public void TwoDifferentTypesWithOneName_AreRefused()
    {
        var other = new StructType("Person").Field("id", "uint8");
        var type = new StructType("Pair").Field("a", Person.Eip712Type).Field("b", other);
        Assert.Throws<TypedDataException>(() => type.Types);
    }

    [Fact]
    public void ToTypedValueOfAnotherType_IsRefused()
        => Assert.Throws<InvalidOperationException>(() => new Impostor().HashStruct());

    [Fact]
    public void WideIntegersAndBytes_BuildTheSameHashAsJson()
    {
        var type = new StructType("T").Field("a", "uint128").Field("b", "int128").Field("c", "bytes32").Field("d", "bytes2").Field("e", "uint256[2]");
        var value = type.NewValue().Set("a", UInt128.MaxValue).Set("b", Int128.MinValue)
            .Set("c", Hash32.Parse("11".PadLeft(64, '1'))).Set("d", new byte[] { 0xab, 0xcd })
            .Set("e", TypedValue.Array(ulong.MaxValue, 0));
        var json = TypedDataJson.Document(
            """[ { "name": "a", "type": "uint128" }, { "name": "b", "type": "int128" }, { "name": "c", "type": "bytes32" }, { "name": "d", "type": "bytes2" }, { "name": "e", "type": "uint256[2]" } ]""",
            $$"""{ "a": "{{UInt128.MaxValue}}", "b": "{{Int128.MinValue}}", "c": "0x{{new string('1', 64)}}", "d": "0xabcd", "e": ["0xffffffffffffffff", 0] }""");
        Assert.Equal(TypedDataDocument.Parse(json).MessageHash, value.HashStruct());
    }

    private sealed class Impostor : ITypedStruct
    {
        public static StructType Eip712Type { get; } = new StructType("Impostor").Field("x", "bool");
        public StructValue ToTypedValue() => Person.Eip712Type.NewValue().Set("name", "x").Set("wallet", Address.Zero);
    }
}
