using System.Numerics;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// Folds checked values into the JSON that ethers v6 and MetaMask read back to the same values: integers as numbers
/// while JavaScript holds them exactly (|n| ≤ 2^53 − 1) and as decimal strings beyond, addresses EIP-55, bytes lower-case hex.
/// </summary>
internal sealed class CanonicalJsonFold : IValueFold<JsonNode>
{
    public static CanonicalJsonFold Instance { get; } = new();

    public JsonNode Bool(bool value) => JsonValue.Create(value);

    public JsonNode Integer(FieldType type, BigInteger value) => BigInteger.Abs(value) <= JsonLeafReader.MaxSafeJsonInteger
        ? JsonValue.Create((long)value)
        : JsonValue.Create(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public JsonNode Address(Address value) => JsonValue.Create(value.ToString());

    public JsonNode FixedBytes(byte[] value) => JsonValue.Create(Hex.Encode(value));

    public JsonNode String(string value) => JsonValue.Create(value);

    public JsonNode Bytes(byte[] value) => JsonValue.Create(Hex.Encode(value));

    public JsonNode Struct(string typeName, IReadOnlyList<(string Name, JsonNode Value)> members)
    {
        var node = new JsonObject();
        foreach (var (name, value) in members) node.Add(name, value);
        return node;
    }

    public JsonNode Array(FieldType type, IReadOnlyList<JsonNode> items)
    {
        var node = new JsonArray();
        foreach (var item in items) node.Add(item);
        return node;
    }
}
