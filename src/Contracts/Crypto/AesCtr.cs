using System.Security.Cryptography;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// AES-CTR as go-ethereum's cipher.NewCTR does it: the IV is a 128-bit big-endian counter that increments per
/// 16-byte block (carrying across all 16 bytes). .NET has no CTR mode, so counter blocks are ECB-encrypted.
/// </summary>
internal static class AesCtr
{
    /// <summary>XORs <paramref name="input"/> with the key stream into <paramref name="output"/>; encryption and decryption are the same.</summary>
    public static void Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (iv.Length != 16) throw new ArgumentException($"AES-CTR iv is 16 bytes, got {iv.Length}", nameof(iv));
        if (output.Length < input.Length) throw new ArgumentException("output is shorter than input", nameof(output));
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        Span<byte> counter = stackalloc byte[16];
        Span<byte> stream = stackalloc byte[16];
        iv.CopyTo(counter);
        for (int offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, stream, PaddingMode.None);
            int n = Math.Min(16, input.Length - offset);
            for (int i = 0; i < n; i++) output[offset + i] = (byte)(input[offset + i] ^ stream[i]);
            for (int i = 15; i >= 0 && ++counter[i] == 0; i--) { }
        }
        CryptographicOperations.ZeroMemory(stream);
    }
}
