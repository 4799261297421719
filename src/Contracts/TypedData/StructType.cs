using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// A C#-defined EIP-712 struct type, built field by field; struct members reference their <see cref="StructType"/>
/// so the type carries every type it depends on. Immutable: <see cref="Field(string, string)"/> returns a new type.
/// </summary>
/// <example><code>
/// public static StructType Eip712Type { get; } = new StructType("Mail")
///     .Field("from", Person.Eip712Type).Field("to", Person.Eip712Type, "[]").Field("contents", "string");
/// </code></example>
public sealed class StructType
{
    private readonly Lazy<TypedDataTypes> _types;

    /// <summary>An empty struct type named <paramref name="name"/> (a Solidity identifier).</summary>
    public StructType(string name) : this(name, [], []) { }

    private StructType(string name, TypeMember[] members, StructType[] references)
    {
        Name = name;
        Members = members;
        References = references;
        _types = new Lazy<TypedDataTypes>(BuildTypes);
        // Validate now, so a bad definition fails where it is written, not at its first use.
        TypedDataTypes.CheckStructName(name, $"types.{name}");
        if (members.Length > 0) TypedDataTypes.CheckMemberName(name, members, members.Length - 1);
    }

    public string Name { get; }
    public IReadOnlyList<TypeMember> Members { get; }

    /// <summary>The struct types that members of this one name directly.</summary>
    public IReadOnlyList<StructType> References { get; }

    /// <summary>This type and every type it reaches, as a validated set.</summary>
    public TypedDataTypes Types => _types.Value;

    /// <summary>EIP-712 encodeType of this struct.</summary>
    public string EncodeType => Types.EncodeType(Name);

    /// <summary>EIP-712 typeHash of this struct.</summary>
    public Hash32 TypeHash => Types.TypeHash(Name);

    /// <summary>Adds a member of an atomic or dynamic type, or an array of one (<c>uint64</c>, <c>bytes32</c>, <c>address[]</c>).</summary>
    public StructType Field(string name, string type)
    {
        var parsed = FieldType.Parse(type, $"types.{Name}[{Members.Count}].type");
        if (!FieldType.IsBuiltIn(parsed.BaseName))
            throw new TypedDataException($"types.{Name}[{Members.Count}].type", type, null,
                $"'{parsed.BaseName}' is not an atomic or dynamic type; pass its StructType to reference a struct");
        return With(new TypeMember(name, type), null);
    }

    /// <summary>Adds a member of a struct type, or (with <paramref name="arraySuffix"/> such as <c>"[]"</c> or <c>"[3]"</c>) an array of it.</summary>
    public StructType Field(string name, StructType type, string arraySuffix = "")
    {
        var text = type.Name + arraySuffix;
        var parsed = FieldType.Parse(text, $"types.{Name}[{Members.Count}].type");
        if (parsed.BaseName != type.Name)
            throw new TypedDataException($"types.{Name}[{Members.Count}].type", text, null, "the array suffix must be only [] or [n] groups");
        return With(new TypeMember(name, text), type);
    }

    /// <summary>A new, empty value of this type for the builder.</summary>
    public StructValue NewValue() => new(this);

    private StructType With(TypeMember member, StructType? reference)
    {
        var references = reference is null || References.Contains(reference) ? References.ToArray() : [.. References, reference];
        return new StructType(Name, [.. Members, member], references);
    }

    private TypedDataTypes BuildTypes()
    {
        var found = new Dictionary<string, StructType>(StringComparer.Ordinal);
        Collect(this, found);
        return new TypedDataTypes(found.Select(kv => new KeyValuePair<string, IReadOnlyList<TypeMember>>(kv.Key, kv.Value.Members)));
    }

    private static void Collect(StructType type, Dictionary<string, StructType> found)
    {
        if (found.TryGetValue(type.Name, out var existing))
        {
            if (!ReferenceEquals(existing, type) && !existing.Members.SequenceEqual(type.Members))
                throw new TypedDataException($"types.{type.Name}", null, null, "two different struct types share this name");
            return;
        }
        found.Add(type.Name, type);
        foreach (var reference in type.References) Collect(reference, found);
    }
}
