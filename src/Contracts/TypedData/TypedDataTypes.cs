using System.Text;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// The struct types of one EIP-712 document (the <c>types</c> object of eth_signTypedData_v4), validated on
/// construction: every member type parses and every struct it names is defined. Immutable; encodeType and
/// typeHash of every struct are computed once here.
/// </summary>
public sealed class TypedDataTypes
{
    /// <summary>The name of the domain struct type.</summary>
    public const string DomainTypeName = "EIP712Domain";

    private readonly Dictionary<string, IReadOnlyList<TypeMember>> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FieldType[]> _fieldTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _encodedTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Hash32> _typeHashes = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    /// <summary>Validates and indexes the given struct definitions; throws <see cref="TypedDataException"/> on the first fault.</summary>
    public TypedDataTypes(IEnumerable<KeyValuePair<string, IReadOnlyList<TypeMember>>> structs)
    {
        foreach (var (name, members) in structs)
        {
            var path = $"types.{name}";
            CheckStructName(name, path);
            if (_members.ContainsKey(name)) throw new TypedDataException(path, null, name, "struct type is defined twice");
            for (int i = 0; i < members.Count; i++) CheckMemberName(name, members, i);
            _members.Add(name, members.ToArray());
            _names.Add(name);
        }
        foreach (var name in _names)
        {
            var members = _members[name];
            var parsed = new FieldType[members.Count];
            for (int i = 0; i < members.Count; i++)
            {
                var path = $"types.{name}[{i}].type";
                parsed[i] = FieldType.Parse(members[i].Type, path);
                var baseName = parsed[i].BaseName;
                if (!FieldType.IsBuiltIn(baseName) && !_members.ContainsKey(baseName))
                    throw new TypedDataException(path, members[i].Type, null,
                        FieldType.NearBuiltIn(baseName) is { } rule ? $"unknown type '{baseName}' ({rule})" : $"undefined struct type '{baseName}'");
            }
            _fieldTypes.Add(name, parsed);
        }
        foreach (var name in _names)
        {
            _encodedTypes.Add(name, BuildEncodeType(name));
            _typeHashes.Add(name, Keccak256.Hash(Encoding.UTF8.GetBytes(_encodedTypes[name])));
        }
    }

    /// <summary>Struct type names in the order they were given.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>True when a struct type of that name is defined.</summary>
    public bool Contains(string name) => _members.ContainsKey(name);

    /// <summary>The members of a struct type, in declared order (which is the encoding order).</summary>
    public IReadOnlyList<TypeMember> Members(string name) => _members[Require(name)];

    /// <summary>EIP-712 encodeType: the primary struct, then every struct it references (transitively) sorted by name.</summary>
    public string EncodeType(string primaryType) => _encodedTypes[Require(primaryType)];

    /// <summary>EIP-712 typeHash = keccak256(encodeType).</summary>
    public Hash32 TypeHash(string primaryType) => _typeHashes[Require(primaryType)];

    /// <summary>Every struct type reachable from <paramref name="primaryType"/>, itself included, sorted by name.</summary>
    public IReadOnlyList<string> Dependencies(string primaryType)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        Collect(Require(primaryType), found);
        return found.ToArray();
    }

    internal IReadOnlyList<FieldType> FieldTypes(string name) => _fieldTypes[name];

    /// <summary>A struct name must be an identifier that does not spell an atomic or dynamic type.</summary>
    internal static void CheckStructName(string name, string path)
    {
        if (!FieldType.IsIdentifier(name) || FieldType.IsBuiltIn(name))
            throw new TypedDataException(path, null, name, "a struct type name must be an identifier that is not an atomic or dynamic type");
        if (FieldType.NearBuiltIn(name) is { } rule)
            throw new TypedDataException(path, null, name, $"a struct type may not be named like an atomic type ({rule})");
    }

    /// <summary>Member <paramref name="index"/> of <paramref name="structName"/> must be an identifier not used by an earlier member.</summary>
    internal static void CheckMemberName(string structName, IReadOnlyList<TypeMember> members, int index)
    {
        var name = members[index].Name;
        // encodeType joins "type name" with ',' and '(': a name outside the identifier alphabet would make it ambiguous.
        if (!FieldType.IsIdentifier(name))
            throw new TypedDataException($"types.{structName}[{index}].name", null, name, "a member name must be an identifier");
        for (int i = 0; i < index; i++)
            if (members[i].Name == name)
                throw new TypedDataException($"types.{structName}[{index}].name", null, name, $"member is declared twice in {structName}");
    }

    private string Require(string name)
        => _members.ContainsKey(name) ? name : throw new TypedDataException("types", null, name, $"undefined struct type '{name}'");

    private void Collect(string name, SortedSet<string> found)
    {
        // The visited check is what lets recursive types (a struct holding an array of itself) terminate, as the spec allows.
        if (!found.Add(name)) return;
        foreach (var type in _fieldTypes[name])
            if (!FieldType.IsBuiltIn(type.BaseName)) Collect(type.BaseName, found);
    }

    private string BuildEncodeType(string primary)
    {
        var text = new StringBuilder(Signature(primary));
        foreach (var dependency in Dependencies(primary))
            if (dependency != primary) text.Append(Signature(dependency));
        return text.ToString();
    }

    private string Signature(string name) => $"{name}({string.Join(',', _members[name])})";
}
