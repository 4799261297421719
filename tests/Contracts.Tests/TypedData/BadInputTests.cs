using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>
/// Every refusal throws <see cref="TypedDataException"/> whose path names the faulty field, and whose message
/// carries the path, the type and the value, so a wallet or node log can say exactly what was wrong.
/// </summary>
public sealed class BadInputTests
{
    private const string PersonTypes = """ "Person": [ { "name": "name", "type": "string" }, { "name": "wallet", "type": "address" } ] """;
    private const string Cow = """{ "name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" }""";

    private static TypedDataException Refuses(string json, string path, string problem)
    {
        var e = Assert.Throws<TypedDataException>(() => TypedDataDocument.Parse(json));
        Assert.Equal(path, e.Path);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Fact]
    public void WrongChecksumInNestedArray_NamesTheElementPath_TypeAndValue()
    {
        var json = TypedDataJson.Document("""[ { "name": "to", "type": "Person[]" } ]""",
            $$"""{ "to": [ {{Cow}}, { "name": "Bob", "wallet": "0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" } ] }""", PersonTypes);
        var e = Refuses(json, "message.to[1].wallet", "checksum");
        Assert.Equal("address", e.Type);
        Assert.Contains("(type address, value \"0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826\")", e.Message);
    }

    [Theory]
    [InlineData("uint8", "256", "out of range for uint8 [0, 255]")]
    [InlineData("uint8", "-1", "out of range for uint8")]
    [InlineData("uint256", "\"0x10000000000000000000000000000000000000000000000000000000000000000\"", "out of range for uint256")]
    [InlineData("int8", "128", "out of range for int8 [-128, 127]")]
    [InlineData("int8", "\"-129\"", "out of range for int8")]
    [InlineData("int256", "\"57896044618658097711785492504343953926634992332820282019728792003956564819968\"", "out of range for int256")]
    [InlineData("uint64", "9007199254740992", "beyond 2^53-1")]
    [InlineData("uint64", "1.5", "whole number")]
    [InlineData("uint64", "1e3", "whole number")]
    [InlineData("uint64", "\"\"", "decimal or 0x-hex")]
    [InlineData("uint64", "\"0x\"", "decimal or 0x-hex")]
    [InlineData("uint64", "\"12ab\"", "decimal or 0x-hex")]
    [InlineData("uint64", "\"--1\"", "decimal or 0x-hex")]
    [InlineData("uint64", "\" 1\"", "decimal or 0x-hex")]
    [InlineData("uint64", "true", "expected an integer")]
    [InlineData("bytes4", "\"0x010203\"", "bytes4 needs exactly 4 bytes, got 3")]
    [InlineData("bytes4", "\"0x0102030405\"", "bytes4 needs exactly 4 bytes, got 5")]
    [InlineData("bytes", "\"hello\"", "0x-prefixed hex")]
    [InlineData("bytes", "\"0x123\"", "odd number")]
    [InlineData("bool", "1", "true or false")]
    [InlineData("bool", "\"true\"", "true or false")]
    [InlineData("string", "5", "JSON string")]
    [InlineData("address", "\"0x1234\"", "40 hex digits")]
    [InlineData("address", "null", "null")]
    [InlineData("uint8[2]", "[1]", "fixed-size array needs 2 items, got 1")]
    [InlineData("uint8[2]", "[1, 2, 3]", "fixed-size array needs 2 items, got 3")]
    [InlineData("uint8[]", "{}", "JSON array")]
    public void ValueThatDoesNotFitItsType_IsRefused(string type, string value, string problem)
    {
        var e = Refuses(TypedDataJson.Single(type, value), "message.v", problem);
        Assert.Equal(type, e.Type);
    }

    [Fact]
    public void BadItemInNestedArray_NamesBothIndices()
        => Refuses(TypedDataJson.Single("uint8[][2]", "[[1], [2, 300]]"), "message.v[1][1]", "out of range for uint8");

    [Fact]
    public void MissingField_IsRefused()
        => Refuses(TypedDataJson.Document("""[ { "name": "from", "type": "Person" } ]""", """{ "from": { "name": "Cow" } }""", PersonTypes),
            "message.from.wallet", "missing field: Person requires 'wallet'");

    [Fact]
    public void ExtraField_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("\"v\": true", "\"v\": true, \"w\": 1"), "message.w", "extra field: T has no member 'w'");

    [Fact]
    public void DuplicateField_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("\"v\": true", "\"v\": true, \"v\": false"), "message.v", "field appears twice");

    [Fact]
    public void StructValueThatIsNotAnObject_IsRefused()
        => Refuses(TypedDataJson.Single("Person", "[]", PersonTypes), "message.v", "expected a JSON object");

    [Theory]
    [InlineData("Persn", "undefined struct type 'Persn'")]
    [InlineData("Persn[]", "undefined struct type 'Persn'")]
    [InlineData("uint7", "unknown type 'uint7' (uintN needs N in 8..256")]
    [InlineData("uint264", "unknown type 'uint264'")]
    [InlineData("uint", "unknown type 'uint'")]
    [InlineData("int", "unknown type 'int'")]
    [InlineData("bytes0", "unknown type 'bytes0' (bytesN needs N in 1..32)")]
    [InlineData("bytes33", "unknown type 'bytes33'")]
    public void UnknownOrUndefinedType_IsRefused(string type, string problem)
        => Refuses(TypedDataJson.Single(type, "1"), "types.T[0].type", problem);

    [Theory]
    [InlineData("uint8[", "malformed type string")]
    [InlineData("uint8]", "malformed type string")]
    [InlineData("uint8[0]", "not a positive decimal number")]
    [InlineData("uint8[02]", "not a positive decimal number")]
    [InlineData("uint8[-1]", "not a positive decimal number")]
    [InlineData("uint8[x]", "not a positive decimal number")]
    [InlineData("[]", "malformed type string")]
    [InlineData("uint 8", "malformed type string")]
    [InlineData("", "malformed type string")]
    public void MalformedTypeString_IsRefused(string type, string problem)
        => Refuses(TypedDataJson.Single(type, "1"), "types.T[0].type", problem);

    [Theory]
    [InlineData(""" "uint256": [] """, "types.uint256", "not an atomic or dynamic type")]
    [InlineData(""" "bytes40": [] """, "types.bytes40", "named like an atomic type")]
    [InlineData(""" "Bad-Name": [] """, "types.Bad-Name", "must be an identifier")]
    [InlineData(""" "P": [ { "name": "a b", "type": "bool" } ] """, "types.P[0].name", "must be an identifier")]
    [InlineData(""" "P": [ { "name": "a", "type": "bool" }, { "name": "a", "type": "bool" } ] """, "types.P[1].name", "declared twice")]
    [InlineData(""" "P": [ { "name": "a", "type": "bool", "x": 1 } ] """, "types.P[0].x", "only 'name' and 'type'")]
    [InlineData(""" "P": [ { "name": "a" } ] """, "types.P[0].type", "missing field")]
    [InlineData(""" "P": {} """, "types.P", "expected an array")]
    public void BadStructDefinition_IsRefused(string extraTypes, string path, string problem)
        => Refuses(TypedDataJson.Single("bool", "true", extraTypes), path, problem);

    [Fact]
    public void UndefinedPrimaryType_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("\"primaryType\": \"T\"", "\"primaryType\": \"Q\""), "primaryType", "undefined struct type 'Q'");

    [Fact]
    public void DomainAsPrimaryType_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("\"primaryType\": \"T\"", "\"primaryType\": \"EIP712Domain\""), "primaryType", "not EIP712Domain");

    [Fact]
    public void NonStandardDomainField_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("""{ "name": "chainId", "type": "uint256" }""", """{ "name": "chain", "type": "uint256" }"""),
            "types.EIP712Domain[2].name", "not an EIP712Domain field");

    [Fact]
    public void DomainFieldOfWrongType_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("""{ "name": "chainId", "type": "uint256" }""", """{ "name": "chainId", "type": "uint64" }"""),
            "types.EIP712Domain[2].type", "must have type uint256");

    [Fact]
    public void DomainValueMissingADeclaredField_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace(""", "chainId": 1 }""", " }"), "domain.chainId", "missing field");

    [Fact]
    public void UnknownTopLevelKey_IsRefused()
        => Refuses(TypedDataJson.Single("bool", "true").Replace("\"primaryType\"", "\"extra\": 1, \"primaryType\""), "extra", "not an eth_signTypedData_v4 key");

    [Fact]
    public void MissingMessage_IsRefused()
        => Refuses("""{ "types": { "T": [] }, "primaryType": "T", "domain": { "chainId": 1 } }""", "message", "missing field");

    [Fact]
    public void NotJson_IsRefused()
        => Refuses("{ nope", "$", "not JSON");
}
