using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>Builds small eth_signTypedData_v4 documents for tests: one message struct <c>T</c>, chosen members and values.</summary>
internal static class TypedDataJson
{
    public const string Domain = """{ "name": "P2PEnergy", "version": "1", "chainId": 1 }""";
    public const string DomainType = """[ { "name": "name", "type": "string" }, { "name": "version", "type": "string" }, { "name": "chainId", "type": "uint256" } ]""";

    /// <summary>A document whose message type T has one member <c>v</c> of <paramref name="type"/> holding <paramref name="valueJson"/>.</summary>
    public static string Single(string type, string valueJson, string extraTypes = "")
        => Document($$"""[ { "name": "v", "type": "{{type}}" } ]""", $$"""{ "v": {{valueJson}} }""", extraTypes);

    /// <summary>A document with message type T of the given members JSON and message JSON.</summary>
    public static string Document(string membersJson, string messageJson, string extraTypes = "")
        => $$"""
           {
             "types": { "EIP712Domain": {{DomainType}}, "T": {{membersJson}}{{(extraTypes.Length > 0 ? ", " + extraTypes : "")}} },
             "primaryType": "T",
             "domain": {{Domain}},
             "message": {{messageJson}}
           }
           """;

    public static TypedDataDocument ParseSingle(string type, string valueJson, string extraTypes = "")
        => TypedDataDocument.Parse(Single(type, valueJson, extraTypes));
}
