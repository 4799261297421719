using System.Numerics;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Writes a state key's parts straight into the key's own characters (inside <see cref="string.Create{TState}"/>), so
/// a key of several parts is one string instead of one per number and per concatenation: a contract builds its index
/// and nonce keys this way, a handful each, in every block. The text is exactly the concatenation of the parts.
/// </summary>
internal ref struct KeyWriter(Span<char> chars)
{
    private readonly Span<char> _chars = chars;
    private int _at;

    public void Text(string text)
    {
        text.CopyTo(_chars[_at..]);
        _at += text.Length;
    }

    public void Char(char c) => _chars[_at++] = c;

    /// <summary>"0x" and lower-case hex, as <see cref="Contracts.Crypto.Hex.Encode(string, ReadOnlySpan{byte}, string)"/> writes bytes.</summary>
    public void Hex(ReadOnlySpan<byte> bytes)
    {
        _chars[_at++] = '0';
        _chars[_at++] = 'x';
        Convert.TryToHexStringLower(bytes, _chars[_at..], out int written);
        _at += written;
    }

    /// <summary><see cref="StateKeys.Number"/> of <paramref name="value"/>.</summary>
    public void Number(ulong value)
    {
        int digits = Digits(value);
        _chars[_at] = StateKeys.HexDigits[digits - 1];
        for (int i = digits; i >= 1; i--, value >>= 4) _chars[_at + i] = StateKeys.HexDigits[(int)(value & 0xF)];
        _at += digits + 1;
    }

    /// <summary>Characters <see cref="Number"/> writes for <paramref name="value"/>.</summary>
    public static int NumberLength(ulong value) => Digits(value) + 1;

    /// <summary>Characters <see cref="Hex"/> writes for <paramref name="bytes"/> bytes.</summary>
    public static int HexLength(int bytes) => 2 + 2 * bytes;

    private static int Digits(ulong value) => value == 0 ? 1 : (67 - BitOperations.LeadingZeroCount(value)) / 4;
}
