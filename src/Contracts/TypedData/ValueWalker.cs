using System.Text.Json;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// Walks a JSON value by its EIP-712 type, checking it on the way (object shape, missing and extra members,
/// array lengths, every leaf), and hands each checked piece to an <see cref="IValueFold{T}"/>.
/// </summary>
internal static class ValueWalker
{
    /// <summary>Folds the struct <paramref name="value"/> of type <paramref name="typeName"/> found at <paramref name="path"/>.</summary>
    public static T Struct<T>(TypedDataTypes types, string typeName, JsonElement value, string path, IValueFold<T> fold)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new TypedDataException(path, typeName, value.GetRawText(), "expected a JSON object");
        var members = types.Members(typeName);
        var fieldTypes = types.FieldTypes(typeName);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            // Signers disagree on which of two duplicate keys wins, so a duplicate could make two digests of one text.
            if (!present.Add(property.Name))
                throw new TypedDataException($"{path}.{property.Name}", typeName, null, "field appears twice");
            if (!members.Any(m => m.Name == property.Name))
                throw new TypedDataException($"{path}.{property.Name}", typeName, property.Value.GetRawText(), $"extra field: {typeName} has no member '{property.Name}'");
        }
        var folded = new (string, T)[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            var memberPath = $"{path}.{members[i].Name}";
            if (!value.TryGetProperty(members[i].Name, out var member))
                throw new TypedDataException(memberPath, members[i].Type, null, $"missing field: {typeName} requires '{members[i].Name}'");
            folded[i] = (members[i].Name, Field(types, fieldTypes[i], member, memberPath, fold));
        }
        return fold.Struct(typeName, folded);
    }

    private static T Field<T>(TypedDataTypes types, FieldType type, JsonElement value, string path, IValueFold<T> fold)
    {
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            throw new TypedDataException(path, type.Text, "null", "value is null");
        switch (type.Kind)
        {
            case FieldKind.Array:
                if (value.ValueKind != JsonValueKind.Array)
                    throw new TypedDataException(path, type.Text, value.GetRawText(), "expected a JSON array");
                int count = value.GetArrayLength();
                if (type.Length is { } length && count != length)
                    throw new TypedDataException(path, type.Text, value.GetRawText(), $"fixed-size array needs {length} items, got {count}");
                var items = new T[count];
                int i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    items[i] = Field(types, type.Element!, item, $"{path}[{i}]", fold);
                    i++;
                }
                return fold.Array(type, items);
            case FieldKind.Struct: return Struct(types, type.BaseName, value, path, fold);
            case FieldKind.Bool: return fold.Bool(JsonLeafReader.ReadBool(value, type, path));
            case FieldKind.Address: return fold.Address(JsonLeafReader.ReadAddress(value, type, path));
            case FieldKind.Uint or FieldKind.Int: return fold.Integer(type, JsonLeafReader.ReadInteger(value, type, path));
            case FieldKind.FixedBytes: return fold.FixedBytes(JsonLeafReader.ReadFixedBytes(value, type, path));
            case FieldKind.String: return fold.String(JsonLeafReader.ReadString(value, type, path));
            case FieldKind.Bytes: return fold.Bytes(JsonLeafReader.ReadBytes(value, type, path));
            default: throw new InvalidOperationException($"unhandled field kind {type.Kind}");
        }
    }
}
