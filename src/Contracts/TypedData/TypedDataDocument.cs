using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// An eth_signTypedData_v4 payload: struct types (EIP712Domain included), primary type, domain and message.
/// Values are held as immutable <see cref="JsonElement"/>s exactly as given; they are checked against their types
/// on construction, which is also when the domain separator, message hash and digest are computed.
/// </summary>
public sealed class TypedDataDocument
{
    private static readonly string[] TopLevelKeys = ["types", "primaryType", "domain", "message"];

    /// <summary>Checks <paramref name="domain"/> and <paramref name="message"/> against <paramref name="types"/> and hashes them.</summary>
    public TypedDataDocument(TypedDataTypes types, string primaryType, JsonElement domain, JsonElement message)
    {
        if (!types.Contains(TypedDataTypes.DomainTypeName))
            throw new TypedDataException($"types.{TypedDataTypes.DomainTypeName}", null, null, "the domain type is not defined");
        Eip712Domain.CheckMembers(types.Members(TypedDataTypes.DomainTypeName), $"types.{TypedDataTypes.DomainTypeName}");
        if (!types.Contains(primaryType))
            throw new TypedDataException("primaryType", null, primaryType, $"undefined struct type '{primaryType}'");
        // eth-sig-util signs only the domain when primaryType is EIP712Domain; the spec has no such case, so refuse it.
        if (primaryType == TypedDataTypes.DomainTypeName)
            throw new TypedDataException("primaryType", null, primaryType, "the primary type must be a message type, not EIP712Domain");
        Types = types;
        PrimaryType = primaryType;
        Domain = domain.Clone();
        Message = message.Clone();
        DomainSeparator = Eip712.HashStruct(types, TypedDataTypes.DomainTypeName, Domain, "domain");
        MessageHash = Eip712.HashStruct(types, primaryType, Message, "message");
        Digest = Eip712.Digest(DomainSeparator, MessageHash);
    }

    public TypedDataTypes Types { get; }
    public string PrimaryType { get; }
    public JsonElement Domain { get; }
    public JsonElement Message { get; }

    /// <summary>hashStruct(domain).</summary>
    public Hash32 DomainSeparator { get; }

    /// <summary>hashStruct(message).</summary>
    public Hash32 MessageHash { get; }

    /// <summary>keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)): what the signer signs.</summary>
    public Hash32 Digest { get; }

    /// <summary>Parses eth_signTypedData_v4 JSON; throws <see cref="TypedDataException"/> naming the faulty path.</summary>
    public static TypedDataDocument Parse(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException e) { throw new TypedDataException("$", null, null, $"not JSON: {e.Message}"); }
        return FromJson(root);
    }

    /// <summary>Reads an already-parsed eth_signTypedData_v4 object.</summary>
    public static TypedDataDocument FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new TypedDataException("$", null, root.GetRawText(), "expected a JSON object");
        foreach (var property in root.EnumerateObject())
            if (!TopLevelKeys.Contains(property.Name))
                throw new TypedDataException(property.Name, null, property.Value.GetRawText(), "not an eth_signTypedData_v4 key (types, primaryType, domain, message)");
        var types = ReadTypes(Required(root, "types", JsonValueKind.Object), Required(root, "domain", JsonValueKind.Object));
        var primaryType = Required(root, "primaryType", JsonValueKind.String).GetString()!;
        return new TypedDataDocument(types, primaryType, root.GetProperty("domain"), Required(root, "message", JsonValueKind.Object));
    }

    /// <summary>
    /// Canonical eth_signTypedData_v4 JSON: types (EIP712Domain, the primary type, then the rest by name), primaryType,
    /// domain, message; values in member order, integers as numbers up to 2^53 − 1 and decimal strings beyond.
    /// </summary>
    public string ToJson(bool indented = false)
    {
        var typesNode = new JsonObject();
        var order = new[] { TypedDataTypes.DomainTypeName, PrimaryType }
            .Concat(Types.Names.Where(n => n != TypedDataTypes.DomainTypeName && n != PrimaryType).Order(StringComparer.Ordinal));
        foreach (var name in order)
        {
            var members = new JsonArray();
            foreach (var member in Types.Members(name))
                members.Add(new JsonObject { ["name"] = member.Name, ["type"] = member.Type });
            typesNode.Add(name, members);
        }
        var root = new JsonObject
        {
            ["types"] = typesNode,
            ["primaryType"] = PrimaryType,
            ["domain"] = ValueWalker.Struct(Types, TypedDataTypes.DomainTypeName, Domain, "domain", CanonicalJsonFold.Instance),
            ["message"] = ValueWalker.Struct(Types, PrimaryType, Message, "message", CanonicalJsonFold.Instance),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });
    }

    private static TypedDataTypes ReadTypes(JsonElement typesJson, JsonElement domain)
    {
        var structs = new List<KeyValuePair<string, IReadOnlyList<TypeMember>>>();
        foreach (var type in typesJson.EnumerateObject())
        {
            var path = $"types.{type.Name}";
            if (type.Value.ValueKind != JsonValueKind.Array)
                throw new TypedDataException(path, null, type.Value.GetRawText(), "expected an array of {name, type} members");
            var members = new List<TypeMember>();
            int i = 0;
            foreach (var member in type.Value.EnumerateArray())
            {
                members.Add(ReadMember(member, $"{path}[{i}]"));
                i++;
            }
            structs.Add(new(type.Name, members));
        }
        // ethers v6 leaves EIP712Domain out of `types` and derives it from the domain's keys; do the same.
        if (!structs.Any(s => s.Key == TypedDataTypes.DomainTypeName))
            structs.Insert(0, new(TypedDataTypes.DomainTypeName, Eip712Domain.DeriveMembers(domain)));
        return new TypedDataTypes(structs);
    }

    private static TypeMember ReadMember(JsonElement member, string path)
    {
        if (member.ValueKind != JsonValueKind.Object)
            throw new TypedDataException(path, null, member.GetRawText(), "expected a {name, type} object");
        foreach (var property in member.EnumerateObject())
            if (property.Name is not ("name" or "type"))
                throw new TypedDataException($"{path}.{property.Name}", null, property.Value.GetRawText(), "a type member has only 'name' and 'type'");
        return new TypeMember(Required(member, "name", JsonValueKind.String, path).GetString()!,
                              Required(member, "type", JsonValueKind.String, path).GetString()!);
    }

    private static JsonElement Required(JsonElement parent, string key, JsonValueKind kind, string? parentPath = null)
    {
        var path = parentPath is null ? key : $"{parentPath}.{key}";
        if (!parent.TryGetProperty(key, out var value)) throw new TypedDataException(path, null, null, "missing field");
        if (value.ValueKind != kind) throw new TypedDataException(path, null, value.GetRawText(), $"expected a JSON {kind.ToString().ToLowerInvariant()}");
        return value;
    }
}
