using System.Buffers;
using Org.BouncyCastle.Crypto.Digests;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// Ethereum's keccak256 (original Keccak padding, 0x01). Never .NET's SHA3_256, which is NIST SHA3 with
/// 0x06 padding and gives different digests (vectors.md: SHA3-256("") = a7ffc6f8…, keccak256("") = c5d24601…).
/// </summary>
public static class Keccak256
{
    /// <summary>keccak256 of <paramref name="data"/>.</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Hash(data, output);
        return Hash32.Wrap(output);
    }

    /// <summary>Writes keccak256 of <paramref name="data"/> into the first 32 bytes of <paramref name="output"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.Length < 32) throw new ArgumentException($"output needs 32 bytes, has {output.Length}", nameof(output));
        // Portable.BouncyCastle 1.8.10 has array-only APIs: borrow pooled arrays instead of allocating per call.
        var input = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 1));
        var result = ArrayPool<byte>.Shared.Rent(32);
        try
        {
            data.CopyTo(input);
            var digest = new KeccakDigest(256);
            digest.BlockUpdate(input, 0, data.Length);
            digest.DoFinal(result, 0);
            result.AsSpan(0, 32).CopyTo(output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(result);
        }
    }

    /// <summary>keccak256 over the concatenation of several parts, without copying them together first.</summary>
    public static Hash32 HashConcat(params byte[][] parts)
    {
        var digest = new KeccakDigest(256);
        foreach (var part in parts) digest.BlockUpdate(part, 0, part.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return Hash32.Wrap(output);
    }
}
