namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// A 20-byte Ethereum-style account address: the last 20 bytes of keccak256 of the uncompressed public key
/// (without its 0x04 prefix). Formats with the EIP-55 mixed-case checksum; parsing is strict about it.
/// </summary>
public readonly struct Address : IEquatable<Address>, IComparable<Address>
{
    private readonly byte[]? _bytes;

    private Address(byte[] bytes) => _bytes = bytes;

    /// <summary>The zero address 0x000…0.</summary>
    public static Address Zero { get; } = new(new byte[20]);

    /// <summary>Copies 20 bytes into an address.</summary>
    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 20) throw new ArgumentException($"an address is 20 bytes, got {bytes.Length}", nameof(bytes));
        return new Address(bytes.ToArray());
    }

    /// <summary>The address of a 64-byte uncompressed public key (x ‖ y, no 0x04 prefix).</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length == 65 && publicKey64[0] == 0x04) publicKey64 = publicKey64[1..];
        if (publicKey64.Length != 64) throw new ArgumentException($"an uncompressed public key is 64 bytes, got {publicKey64.Length}", nameof(publicKey64));
        if (SignerAddressMemo.TryGet(publicKey64, out var held)) return held;
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(publicKey64, hash);
        var address = new Address(hash[12..].ToArray());
        SignerAddressMemo.Hold(publicKey64, address);
        return address;
    }

    /// <summary>The 20 bytes, read-only.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? Zero._bytes!;

    /// <summary>
    /// Parses "0x" + 40 hex digits. All-lower and all-upper hex carry no checksum and are accepted;
    /// mixed case must match EIP-55 exactly, otherwise <see cref="FormatException"/>.
    /// </summary>
    public static Address Parse(string text)
    {
        if (!TryParse(text, out var address, out var error)) throw new FormatException(error);
        return address;
    }

    /// <summary>Non-throwing <see cref="Parse"/>; <paramref name="error"/> says why the text was refused.</summary>
    public static bool TryParse(string? text, out Address address, out string error)
    {
        address = default;
        if (text is null) { error = "address is missing"; return false; }
        if (!text.StartsWith("0x", StringComparison.Ordinal) && !text.StartsWith("0X", StringComparison.Ordinal))
        { error = $"address must start with 0x: '{Hex.Shorten(text)}'"; return false; }
        var digits = text.AsSpan(2);
        if (digits.Length != 40) { error = $"address must have 40 hex digits, has {digits.Length}: '{Hex.Shorten(text)}'"; return false; }
        foreach (var c in digits)
            if (!char.IsAsciiHexDigit(c)) { error = $"address has a non-hex digit '{c}': '{text}'"; return false; }
        var bytes = Convert.FromHexString(digits);
        var candidate = new Address(bytes);
        bool hasLower = false, hasUpper = false;
        foreach (var c in digits) { if (char.IsAsciiLetterLower(c)) hasLower = true; else if (char.IsAsciiLetterUpper(c)) hasUpper = true; }
        if (hasLower && hasUpper && !string.Equals(candidate.ToString(), "0x" + digits.ToString(), StringComparison.Ordinal))
        { error = $"address checksum (EIP-55) does not match: '{text}', expected '{candidate}'"; return false; }
        address = candidate;
        error = "";
        return true;
    }

    /// <summary>EIP-55: hex digit i is upper-cased when nibble i of keccak256(lower-case hex) is ≥ 8.</summary>
    public override string ToString()
    {
        Span<char> lower = stackalloc char[40];
        Convert.TryToHexStringLower(Bytes, lower, out _);
        Span<byte> ascii = stackalloc byte[40];
        for (int i = 0; i < 40; i++) ascii[i] = (byte)lower[i];
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(ascii, hash);
        Span<char> result = stackalloc char[42];
        result[0] = '0'; result[1] = 'x';
        for (int i = 0; i < 40; i++)
        {
            int nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
            result[i + 2] = nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }
        return new string(result);
    }

    /// <summary>0x + 40 lower-case hex digits (for keys in maps and EIP-712 JSON, where case does not matter).</summary>
    public string ToLowerHex() => Hex.Encode(Bytes);

    public bool Equals(Address other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is Address a && Equals(a);
    public override int GetHashCode() => BitConverter.ToInt32(Bytes);
    public int CompareTo(Address other) => Bytes.SequenceCompareTo(other.Bytes);
    public static bool operator ==(Address a, Address b) => a.Equals(b);
    public static bool operator !=(Address a, Address b) => !a.Equals(b);
}
