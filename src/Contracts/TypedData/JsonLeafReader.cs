using System.Globalization;
using System.Numerics;
using System.Text.Json;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// Reads atomic and dynamic EIP-712 values from JSON, accepting what ethers v6 and eth-sig-util accept for
/// eth_signTypedData_v4 and refusing what they would read differently from us.
/// </summary>
internal static class JsonLeafReader
{
    /// <summary>2^53 − 1: the largest integer a JavaScript signer parses from a JSON number without rounding.</summary>
    public static readonly BigInteger MaxSafeJsonInteger = (BigInteger.One << 53) - 1;

    public static bool ReadBool(JsonElement value, FieldType type, string path) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        // ethers coerces any truthy value; a signer and a verifier that coerce differently sign different digests.
        _ => throw Bad(value, type, path, "expected true or false"),
    };

    public static Address ReadAddress(JsonElement value, FieldType type, string path)
    {
        var text = ReadText(value, type, path);
        if (!Address.TryParse(text, out var address, out var error)) throw Bad(value, type, path, error);
        return address;
    }

    public static string ReadString(JsonElement value, FieldType type, string path) => ReadText(value, type, path);

    public static byte[] ReadBytes(JsonElement value, FieldType type, string path)
    {
        var text = ReadText(value, type, path);
        // eth-sig-util falls back to UTF-8 for non-hex strings and ethers refuses them: only hex means the same to both.
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            throw Bad(value, type, path, "expected 0x-prefixed hex");
        try { return Hex.Decode(text); }
        catch (FormatException e) { throw Bad(value, type, path, e.Message); }
    }

    public static byte[] ReadFixedBytes(JsonElement value, FieldType type, string path)
    {
        var bytes = ReadBytes(value, type, path);
        if (bytes.Length != type.Size)
            throw Bad(value, type, path, $"{type.BaseName} needs exactly {type.Size} bytes, got {bytes.Length}");
        return bytes;
    }

    /// <summary>A uintN/intN from a JSON number, a decimal string or a 0x-hex string (either with a leading '-'), range-checked.</summary>
    public static BigInteger ReadInteger(JsonElement value, FieldType type, string path)
    {
        BigInteger n;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!TryParseSigned(value.GetRawText(), allowHex: false, out n))
                throw Bad(value, type, path, "a JSON number must be a whole number without fraction or exponent");
            if (BigInteger.Abs(n) > MaxSafeJsonInteger)
                throw Bad(value, type, path, "a JSON number beyond 2^53-1 is rounded by JavaScript signers; write it as a decimal string");
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            if (!TryParseSigned(value.GetString()!, allowHex: true, out n))
                throw Bad(value, type, path, "expected a decimal or 0x-hex integer");
        }
        else throw Bad(value, type, path, "expected an integer as a JSON number or string");

        var (min, max) = Range(type);
        if (n < min || n > max) throw Bad(value, type, path, $"out of range for {type.BaseName} [{min}, {max}]");
        return n;
    }

    /// <summary>The inclusive range of uintN ([0, 2^N − 1]) or intN ([−2^(N−1), 2^(N−1) − 1]).</summary>
    public static (BigInteger Min, BigInteger Max) Range(FieldType type) => type.Kind == FieldKind.Uint
        ? (BigInteger.Zero, (BigInteger.One << type.Size) - 1)
        : (-(BigInteger.One << (type.Size - 1)), (BigInteger.One << (type.Size - 1)) - 1);

    private static string ReadText(JsonElement value, FieldType type, string path)
        => value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Bad(value, type, path, "expected a JSON string");

    /// <summary>An optional '-' then decimal digits, or (with <paramref name="allowHex"/>) 0x and hex digits; nothing else.</summary>
    private static bool TryParseSigned(string text, bool allowHex, out BigInteger n)
    {
        n = default;
        bool negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        bool ok;
        if (allowHex && digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
            ok = digits.Length > 0 && digits.All(char.IsAsciiHexDigit)
                // The leading 0 keeps BigInteger from reading the top bit as a sign bit.
                && BigInteger.TryParse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out n);
        }
        else
        {
            ok = digits.Length > 0 && digits.AsSpan().ContainsOnlyDigits()
                && BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out n);
        }
        if (ok && negative) n = -n;
        return ok;
    }

    internal static TypedDataException Bad(JsonElement value, FieldType type, string path, string problem)
        => new(path, type.Text, value.GetRawText(), problem);
}
