using System.Globalization;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>The kinds of EIP-712 type a member can have (EIP-712 "Definition of typed structured data").</summary>
internal enum FieldKind { Bool, Address, Uint, Int, FixedBytes, String, Bytes, Struct, Array }

/// <summary>
/// A parsed EIP-712 type string. Arrays nest from the right, as in Solidity: <c>uint8[2][]</c> is a dynamic array
/// whose elements are <c>uint8[2]</c>. Parsing does not check that a struct name is defined; <see cref="TypedDataTypes"/> does.
/// </summary>
internal sealed class FieldType
{
    private FieldType(string text, FieldKind kind, int size, string baseName, FieldType? element, int? length)
    {
        Text = text; Kind = kind; Size = size; BaseName = baseName; Element = element; Length = length;
    }

    /// <summary>The type string as written.</summary>
    public string Text { get; }
    public FieldKind Kind { get; }
    /// <summary>Bits for uintN/intN, bytes for bytesN, 0 otherwise.</summary>
    public int Size { get; }
    /// <summary>The innermost element's name: <c>Person</c> for <c>Person[][3]</c>.</summary>
    public string BaseName { get; }
    /// <summary>For arrays: the element type.</summary>
    public FieldType? Element { get; }
    /// <summary>For fixed-size arrays <c>T[n]</c>: n; null for dynamic arrays and non-arrays.</summary>
    public int? Length { get; }

    public override string ToString() => Text;

    /// <summary>Parses a type string; <paramref name="path"/> names where it was written, for the error.</summary>
    public static FieldType Parse(string text, string path)
    {
        if (text.EndsWith(']'))
        {
            int open = text.LastIndexOf('[');
            if (open <= 0) throw Malformed(text, path, "unbalanced array brackets");
            var inner = text.AsSpan(open + 1, text.Length - open - 2);
            int? length = null;
            if (inner.Length > 0)
            {
                // Solidity forbids T[0] and leading zeros would give two spellings of one type (and two type hashes).
                if (!inner.ContainsOnlyDigits() || inner[0] == '0' || !int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    throw Malformed(text, path, $"array length '{inner}' is not a positive decimal number");
                length = n;
            }
            var element = Parse(text[..open], path);
            return new FieldType(text, FieldKind.Array, 0, element.BaseName, element, length);
        }
        if (!IsIdentifier(text)) throw Malformed(text, path, "not an identifier or array of one");
        var (kind, size) = Classify(text);
        return new FieldType(text, kind, size, text, null, null);
    }

    /// <summary>True when <paramref name="name"/> is an atomic or dynamic type name (so it cannot name a struct).</summary>
    public static bool IsBuiltIn(string name) => Classify(name).Kind != FieldKind.Struct;

    /// <summary>
    /// Why <paramref name="name"/> cannot be a struct name although it is an identifier: it spells an atomic type with
    /// a size EIP-712 does not allow (<c>uint7</c>, <c>bytes33</c>, <c>int</c>). Null when it may name a struct.
    /// </summary>
    public static string? NearBuiltIn(string name)
    {
        foreach (var (prefix, rule) in new[] { ("uint", "uintN needs N in 8..256, a multiple of 8"), ("int", "intN needs N in 8..256, a multiple of 8"), ("bytes", "bytesN needs N in 1..32") })
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.AsSpan(prefix.Length).ContainsOnlyDigits())
                return rule;
        return null;
    }

    /// <summary>True for names a struct may have: Solidity identifiers.</summary>
    public static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) return false;
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '$') return false;
        return true;
    }

    private static (FieldKind Kind, int Size) Classify(string name)
    {
        switch (name)
        {
            case "bool": return (FieldKind.Bool, 0);
            case "address": return (FieldKind.Address, 0);
            case "string": return (FieldKind.String, 0);
            case "bytes": return (FieldKind.Bytes, 0);
        }
        if (TrySize(name, "uint", out var bits) && bits % 8 == 0 && bits is >= 8 and <= 256) return (FieldKind.Uint, bits);
        if (TrySize(name, "int", out bits) && bits % 8 == 0 && bits is >= 8 and <= 256) return (FieldKind.Int, bits);
        if (TrySize(name, "bytes", out var bytes) && bytes is >= 1 and <= 32) return (FieldKind.FixedBytes, bytes);
        return (FieldKind.Struct, 0);
    }

    private static bool TrySize(string name, string prefix, out int size)
    {
        size = 0;
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var digits = name.AsSpan(prefix.Length);
        return digits.Length is > 0 and <= 3 && digits[0] != '0' && digits.ContainsOnlyDigits()
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }

    private static TypedDataException Malformed(string text, string path, string why)
        => new(path, null, text, $"malformed type string: {why}");
}
