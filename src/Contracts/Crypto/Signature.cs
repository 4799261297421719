using System.Numerics;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// A recoverable secp256k1 signature in Ethereum's 65-byte layout r ‖ s ‖ v, with v = 27 + recovery id.
/// Construction validates it: r and s in [1, n-1], s in the lower half (EIP-2), v ∈ {27, 28} (0/1 accepted
/// on input and normalised), so a held <see cref="Signature"/> is never malleable or out of range.
/// </summary>
public sealed class Signature : IEquatable<Signature>
{
    /// <summary>The secp256k1 group order n.</summary>
    public static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
    /// <summary>n / 2: the largest s a low-s signature may have.</summary>
    public static readonly BigInteger HalfN = N >> 1;

    // n and n/2 as 32 bytes big-endian: a range check on every submitted signature compares spans instead of
    // building two BigIntegers (and their arrays) per signature.
    private static readonly byte[] NBytes = N.ToByteArray(isUnsigned: true, isBigEndian: true);
    private static readonly byte[] HalfNBytes = HalfN.ToByteArray(isUnsigned: true, isBigEndian: true);

    private readonly byte[] _bytes; // 65 bytes, v normalised to 27/28

    private Signature(byte[] bytes) => _bytes = bytes;

    /// <summary>r, 32 bytes big-endian.</summary>
    public ReadOnlySpan<byte> R => _bytes.AsSpan(0, 32);
    /// <summary>s, 32 bytes big-endian (always ≤ n/2).</summary>
    public ReadOnlySpan<byte> S => _bytes.AsSpan(32, 32);
    /// <summary>27 or 28.</summary>
    public byte V => _bytes[64];
    /// <summary>The recovery id (0 or 1).</summary>
    public int RecoveryId => _bytes[64] - 27;
    /// <summary>The 65 bytes r ‖ s ‖ v.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Builds a signature from 65 bytes; throws <see cref="SignatureFormatException"/> naming what is wrong.</summary>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (!TryFromBytes(bytes, out var signature, out var error)) throw new SignatureFormatException(error);
        return signature!;
    }

    /// <summary>Parses 0x-hex of 65 bytes.</summary>
    public static Signature Parse(string hex)
    {
        byte[] bytes;
        try { bytes = Hex.Decode(hex); }
        catch (FormatException e) { throw new SignatureFormatException(e.Message); }
        return FromBytes(bytes);
    }

    /// <summary>Non-throwing <see cref="FromBytes"/>.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Signature? signature, out string error)
    {
        signature = null;
        if (bytes.Length != 65) { error = $"a signature is 65 bytes (r ‖ s ‖ v), got {bytes.Length}"; return false; }
        // Big-endian numbers of equal width compare as their bytes do.
        var r = bytes[..32];
        var s = bytes[32..64];
        byte v = bytes[64];
        if (!r.ContainsAnyExcept((byte)0) || r.SequenceCompareTo(NBytes) >= 0) { error = $"signature r is out of range [1, n-1]: 0x{Convert.ToHexStringLower(bytes[..32])}"; return false; }
        if (!s.ContainsAnyExcept((byte)0) || s.SequenceCompareTo(NBytes) >= 0) { error = $"signature s is out of range [1, n-1]: 0x{Convert.ToHexStringLower(bytes[32..64])}"; return false; }
        if (s.SequenceCompareTo(HalfNBytes) > 0) { error = $"signature s is in the upper half of the curve order (malleable, EIP-2): 0x{Convert.ToHexStringLower(bytes[32..64])}"; return false; }
        if (v is 0 or 1) v += 27;
        if (v is not (27 or 28)) { error = $"signature v must be 27 or 28 (or 0/1), got {bytes[64]}"; return false; }
        var copy = bytes.ToArray();
        copy[64] = v;
        signature = new Signature(copy);
        error = "";
        return true;
    }

    /// <summary>From r, s (32 bytes each, big-endian) and a recovery id 0/1.</summary>
    public static Signature FromParts(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, int recoveryId)
    {
        Span<byte> b = stackalloc byte[65];
        r.CopyTo(b); s.CopyTo(b[32..]); b[64] = (byte)(27 + recoveryId);
        return FromBytes(b);
    }

    /// <summary>0x-hex of the 65 bytes.</summary>
    public override string ToString() => Hex.Encode(_bytes);
    public bool Equals(Signature? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);
    public override bool Equals(object? obj) => Equals(obj as Signature);
    public override int GetHashCode() => BitConverter.ToInt32(_bytes);
}

/// <summary>A signature that is malformed: wrong length, r or s out of range, high s, or bad v.</summary>
public sealed class SignatureFormatException(string message) : FormatException(message);
