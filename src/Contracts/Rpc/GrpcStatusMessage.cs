using System.Text;

namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// Percent-encoding of the <c>grpc-message</c> value (PROTOCOL-HTTP2.md "Status-Message"): the text is
/// UTF-8 encoded, then every byte outside 0x20–0x7E, and '%' itself, becomes "%XX".
/// </summary>
public static class GrpcStatusMessage
{
    /// <summary>Encodes <paramref name="text"/> for a <c>grpc-message</c> header value.</summary>
    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsEncoding(text))
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                // Spec: Percent-Byte-Encoded → "%" 2HEXDIGIT ; 0-9 A-F (upper case).
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Decodes a <c>grpc-message</c> value. Broken escapes are kept as-is rather than failing: the spec says
    /// "When decoding invalid values, implementations MUST NOT error or throw away the message".
    /// Invalid UTF-8 sequences become U+FFFD, which the spec also allows.
    /// </summary>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('%'))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && TryHex(value[i + 1], out var high) && TryHex(value[i + 2], out var low))
            {
                bytes.Add((byte)((high << 4) | low));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // A peer sent raw non-ASCII text (not allowed in ASCII-Value); keep it rather than drop it.
                var length = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Substring(i, length)));
                i += length - 1;
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnreserved(byte b) => b >= 0x20 && b <= 0x7E && b != (byte)'%';

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
