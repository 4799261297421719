using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// A value for one member of a <see cref="StructValue"/>, converted implicitly from the C# type that carries it:
/// integers (any width), bool, string, <see cref="Crypto.Address"/>, <see cref="Hash32"/> (bytes32), byte[] (bytes or bytesN),
/// nested structs and arrays. It holds the JSON form; the member's EIP-712 type checks it when the struct is hashed.
/// </summary>
public sealed class TypedValue
{
    private TypedValue(JsonNode node) => Node = node;

    internal JsonNode Node { get; }

    // Integers are held as decimal strings so no width is lost; the canonical writer turns small ones into numbers.
    public static implicit operator TypedValue(BigInteger value) => new(JsonValue.Create(value.ToString(CultureInfo.InvariantCulture)));
    // int and uint are listed so literals and uint fields convert without a cast (uint would be ambiguous between long and ulong).
    public static implicit operator TypedValue(int value) => (BigInteger)value;
    public static implicit operator TypedValue(uint value) => (BigInteger)value;
    public static implicit operator TypedValue(long value) => (BigInteger)value;
    public static implicit operator TypedValue(ulong value) => (BigInteger)value;
    public static implicit operator TypedValue(Int128 value) => (BigInteger)value;
    public static implicit operator TypedValue(UInt128 value) => (BigInteger)value;
    public static implicit operator TypedValue(bool value) => new(JsonValue.Create(value));
    public static implicit operator TypedValue(string value) => new(JsonValue.Create(value ?? throw new ArgumentNullException(nameof(value))));
    public static implicit operator TypedValue(Address value) => new(JsonValue.Create(value.ToString()));
    public static implicit operator TypedValue(Hash32 value) => new(JsonValue.Create(value.ToString()));
    public static implicit operator TypedValue(byte[] value) => new(JsonValue.Create(Hex.Encode(value)));
    public static implicit operator TypedValue(StructValue value) => new(value.ToJsonNode());

    /// <summary>An array value (<c>T[]</c> or <c>T[n]</c>) of the given items.</summary>
    public static TypedValue Array(params IEnumerable<TypedValue> items)
    {
        var array = new JsonArray();
        foreach (var item in items) array.Add(item.Detached());
        return new TypedValue(array);
    }

    /// <summary>An array of structs, each converted with its <see cref="ITypedStruct.ToTypedValue"/>.</summary>
    public static TypedValue ArrayOf<T>(IEnumerable<T> items) where T : ITypedStruct
        => Array(items.Select(item => (TypedValue)item.ToTypedValue()));

    /// <summary>The node, copied when it already sits in another tree (a JSON node has one parent).</summary>
    internal JsonNode Detached() => Node.Parent is null ? Node : Node.DeepClone();
}
