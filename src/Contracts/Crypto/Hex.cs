namespace P2PEnergy.Contracts.Crypto;

/// <summary>Lower-case hexadecimal with an optional <c>0x</c> prefix, the way Ethereum tooling writes bytes.</summary>
public static class Hex
{
    /// <summary>Lower-case hex with a <c>0x</c> prefix.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
        => prefix ? Encode("", bytes, "") : Convert.ToHexStringLower(bytes);

    /// <summary>
    /// <paramref name="before"/> ‖ "0x" ‖ lower-case hex ‖ <paramref name="after"/> as one string: state keys are built
    /// this way for every read and write, and concatenating the parts allocated three strings per key.
    /// </summary>
    public static string Encode(string before, ReadOnlySpan<byte> bytes, string after)
    {
        int length = checked(before.Length + 2 + 2 * bytes.Length + after.Length);
        Span<char> chars = length <= 512 ? stackalloc char[length] : new char[length];
        before.CopyTo(chars);
        chars[before.Length] = '0';
        chars[before.Length + 1] = 'x';
        Convert.TryToHexStringLower(bytes, chars[(before.Length + 2)..], out int written);
        after.CopyTo(chars[(before.Length + 2 + written)..]);
        return new string(chars);
    }

    /// <summary>Decodes hex (with or without <c>0x</c>); odd length or a non-hex digit throws <see cref="FormatException"/> naming the input.</summary>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        ReadOnlySpan<char> s = hex.AsSpan();
        if (s.StartsWith("0x") || s.StartsWith("0X")) s = s[2..];
        if (s.Length % 2 != 0)
            throw new FormatException($"hex string has an odd number of digits ({s.Length}): '{Shorten(hex)}'");
        var bytes = new byte[s.Length / 2];
        if (Convert.FromHexString(s, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            throw new FormatException($"not a hex string: '{Shorten(hex)}'");
        return bytes;
    }

    /// <summary>Decodes hex that must be exactly <paramref name="length"/> bytes.</summary>
    public static byte[] Decode(string hex, int length)
    {
        var bytes = Decode(hex);
        if (bytes.Length != length)
            throw new FormatException($"expected {length} bytes of hex, got {bytes.Length}: '{Shorten(hex)}'");
        return bytes;
    }

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
