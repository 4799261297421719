namespace P2PEnergy.Contracts.Crypto;

/// <summary>A 32-byte hash (keccak256): transaction ids, block hashes, app hashes, EIP-712 digests.</summary>
public readonly struct Hash32 : IEquatable<Hash32>, IComparable<Hash32>
{
    private readonly byte[]? _bytes;

    private Hash32(byte[] bytes) => _bytes = bytes;

    /// <summary>The all-zero hash (e.g. the previous hash of the first block).</summary>
    public static Hash32 Zero { get; } = new(new byte[32]);

    /// <summary>Copies 32 bytes into a new hash.</summary>
    public static Hash32 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32) throw new ArgumentException($"a hash is 32 bytes, got {bytes.Length}", nameof(bytes));
        return new Hash32(bytes.ToArray());
    }

    /// <summary>Takes ownership of a 32-byte array without copying.</summary>
    internal static Hash32 Wrap(byte[] bytes) => new(bytes);

    /// <summary>Parses 32 bytes of hex (0x optional).</summary>
    public static Hash32 Parse(string hex) => new(Hex.Decode(hex, 32));

    /// <summary>The 32 bytes, read-only.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? Zero._bytes!;

    /// <summary>The 32 bytes as read-only memory, without a copy (e.g. to wrap in a protobuf ByteString, which never writes).</summary>
    public ReadOnlyMemory<byte> Memory => _bytes ?? Zero._bytes!;

    /// <summary>A copy of the 32 bytes.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    public bool Equals(Hash32 other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is Hash32 h && Equals(h);
    public override int GetHashCode() => BitConverter.ToInt32(Bytes);
    public int CompareTo(Hash32 other) => Bytes.SequenceCompareTo(other.Bytes);
    public static bool operator ==(Hash32 a, Hash32 b) => a.Equals(b);
    public static bool operator !=(Hash32 a, Hash32 b) => !a.Equals(b);

    /// <summary>0x-prefixed lower-case hex.</summary>
    public override string ToString() => Hex.Encode(Bytes);
}
