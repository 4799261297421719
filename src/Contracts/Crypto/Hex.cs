namespace P2PEnergy.Contracts.Crypto;

/// <summary>Lower-case hexadecimal with an optional <c>0x</c> prefix, the way Ethereum tooling writes bytes.</summary>
public static class Hex
{
    /// <summary>Lower-case hex with a <c>0x</c> prefix.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
        => (prefix ? "0x" : "") + Convert.ToHexStringLower(bytes);

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
