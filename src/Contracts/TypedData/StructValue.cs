using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// A struct value under construction for a <see cref="StructType"/>: set each member once, then hash it, sign its
/// digest, or write it as eth_signTypedData_v4 JSON. Member names are checked as they are set; values, and that
/// no member is missing, when it is hashed.
/// </summary>
public sealed class StructValue
{
    private readonly JsonObject _members = new();

    internal StructValue(StructType type) => Type = type;

    public StructType Type { get; }

    /// <summary>Sets member <paramref name="name"/>; returns this value for chaining.</summary>
    public StructValue Set(string name, TypedValue value)
    {
        var path = $"{Type.Name}.{name}";
        if (!Type.Members.Any(m => m.Name == name))
            throw new TypedDataException(path, Type.Name, null, $"extra field: {Type.Name} has no member '{name}'");
        if (_members.ContainsKey(name)) throw new TypedDataException(path, Type.Name, null, "field is set twice");
        _members.Add(name, value.Detached());
        return this;
    }

    /// <summary>hashStruct of this value.</summary>
    public Hash32 HashStruct() => Eip712.HashStruct(Type.Types, Type.Name, ToJsonElement(), "message");

    /// <summary>The signing digest of this value as the message under <paramref name="domain"/>.</summary>
    public Hash32 Digest(Eip712Domain domain) => Eip712.Digest(domain.Separator, HashStruct());

    /// <summary>This value as the message of an eth_signTypedData_v4 document under <paramref name="domain"/>.</summary>
    public TypedDataDocument ToDocument(Eip712Domain domain)
    {
        var types = new List<KeyValuePair<string, IReadOnlyList<TypeMember>>> { new(TypedDataTypes.DomainTypeName, domain.Members) };
        types.AddRange(Type.Types.Names.Select(n => new KeyValuePair<string, IReadOnlyList<TypeMember>>(n, Type.Types.Members(n))));
        return new TypedDataDocument(new TypedDataTypes(types), Type.Name, domain.Values, ToJsonElement());
    }

    /// <summary>Canonical eth_signTypedData_v4 JSON of this value under <paramref name="domain"/>.</summary>
    public string ToJson(Eip712Domain domain, bool indented = false) => ToDocument(domain).ToJson(indented);

    /// <summary>The member values as a JSON object (as set, not yet canonical).</summary>
    public JsonElement ToJsonElement() => JsonSerializer.SerializeToElement(_members);

    internal JsonNode ToJsonNode() => _members.DeepClone();
}
