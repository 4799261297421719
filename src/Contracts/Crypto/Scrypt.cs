using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// scrypt (RFC 7914): PBKDF2-HMAC-SHA256, ROMix and BlockMix over Salsa20/8. Our own because
/// BouncyCastle's SCrypt.Generate enforces RFC 7914's N &lt; 2^(128·r/8), which refuses go-ethereum's
/// keystore vector (N = 262144, r = 1); go-ethereum and ethers do not enforce that bound, so neither do we.
/// </summary>
public static class Scrypt
{
    /// <summary>
    /// The largest working memory one lane may use, 128·r·N bytes: 2 GiB. geth's "standard" keystore
    /// (N = 262144, r = 8) needs 256 MiB; the cap stops a hostile keystore from asking for more RAM than a wallet has.
    /// </summary>
    public const long MaxLaneMemoryBytes = 2L << 30;

    /// <summary>The largest derived key we produce; keystores use 32 bytes.</summary>
    public const int MaxDerivedKeyLength = 1 << 16;

    /// <summary>Derives <paramref name="dkLen"/> bytes; throws <see cref="ArgumentException"/> naming a rejected parameter.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, int dkLen)
    {
        if (!TryValidate(n, r, p, dkLen, out var error)) throw new ArgumentException(error);

        int laneBytes = 128 * r;
        var b = Rfc2898DeriveBytes.Pbkdf2(password, salt, 1, HashAlgorithmName.SHA256, p * laneBytes);

        // Lanes are independent; run them in parallel, but never more at once than there are cores,
        // because each running lane holds its own 128·r·N bytes of V.
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(p, Environment.ProcessorCount) };
        if (p == 1) RoMix(b.AsSpan(0, laneBytes), n, r, new LaneScratch(n, r));
        else
            Parallel.For(0, p, options, () => new LaneScratch(n, r),
                (lane, _, scratch) => { RoMix(b.AsSpan(lane * laneBytes, laneBytes), n, r, scratch); return scratch; },
                _ => { });

        return Rfc2898DeriveBytes.Pbkdf2(password, b, 1, HashAlgorithmName.SHA256, dkLen);
    }

    /// <summary>
    /// Checks N (a power of two &gt; 1), r and p (≥ 1), r·p &lt; 2^30 (RFC 7914), the memory cap and dkLen;
    /// <paramref name="error"/> names the offending value.
    /// </summary>
    public static bool TryValidate(long n, long r, long p, long dkLen, out string error)
    {
        error = "";
        if (n <= 1 || !BitOperations.IsPow2(n)) error = $"scrypt N must be a power of two greater than 1, got {n}";
        else if (r < 1) error = $"scrypt r must be at least 1, got {r}";
        else if (p < 1) error = $"scrypt p must be at least 1, got {p}";
        else if (r * p >= 1 << 30) error = $"scrypt r·p must be below 2^30 (RFC 7914), got r={r} p={p}";
        else if (n > int.MaxValue || 128 * r * n > MaxLaneMemoryBytes)
            error = $"scrypt memory 128·r·N = {128.0 * r * n / (1 << 20):0} MiB exceeds the {MaxLaneMemoryBytes >> 20} MiB cap (N={n}, r={r})";
        else if (128 * r * p > int.MaxValue) error = $"scrypt 128·r·p must fit in 2 GiB, got r={r} p={p}";
        else if (dkLen < 1 || dkLen > MaxDerivedKeyLength) error = $"scrypt dkLen must be in [1, {MaxDerivedKeyLength}], got {dkLen}";
        return error.Length == 0;
    }

    /// <summary>One lane's buffers, allocated once per worker and reused across lanes.</summary>
    private sealed class LaneScratch(int n, int r)
    {
        // V is written before it is read, so skip zeroing 128·r·N bytes.
        public readonly uint[] V = GC.AllocateUninitializedArray<uint>(checked(32 * r * n));
        public readonly uint[] X = new uint[32 * r];
        public readonly uint[] Y = new uint[32 * r];
    }

    /// <summary>RFC 7914 §5 scryptROMix, in place on one 128·r-byte lane of B.</summary>
    private static void RoMix(Span<byte> lane, int n, int r, LaneScratch s)
    {
        int words = 32 * r;
        Span<uint> x = s.X, y = s.Y, v = s.V;
        for (int i = 0; i < words; i++) x[i] = BinaryPrimitives.ReadUInt32LittleEndian(lane.Slice(4 * i, 4));

        for (int i = 0; i < n; i++)
        {
            x.CopyTo(v.Slice(i * words, words));
            BlockMix(x, y, r);
            var t = x; x = y; y = t;
        }
        int last = (2 * r - 1) * 16;
        uint mask = (uint)n - 1;
        for (int i = 0; i < n; i++)
        {
            // Integerify: the first word of the last 64-byte block; N ≤ 2^31 so its low 32 bits suffice.
            int j = (int)(x[last] & mask);
            var vj = v.Slice(j * words, words);
            for (int k = 0; k < words; k++) x[k] ^= vj[k];
            BlockMix(x, y, r);
            var t = x; x = y; y = t;
        }

        for (int i = 0; i < words; i++) BinaryPrimitives.WriteUInt32LittleEndian(lane.Slice(4 * i, 4), x[i]);
    }

    /// <summary>RFC 7914 §4 scryptBlockMix: even blocks go to the first half of the output, odd blocks to the second.</summary>
    private static void BlockMix(ReadOnlySpan<uint> input, Span<uint> output, int r)
    {
        Span<uint> x = stackalloc uint[16];
        input.Slice((2 * r - 1) * 16, 16).CopyTo(x);
        for (int i = 0; i < 2 * r; i++)
        {
            var block = input.Slice(i * 16, 16);
            for (int k = 0; k < 16; k++) x[k] ^= block[k];
            Salsa20_8(x);
            int target = (i & 1) == 0 ? (i >> 1) : r + (i >> 1);
            x.CopyTo(output.Slice(target * 16, 16));
        }
    }

    /// <summary>RFC 7914 §3 Salsa20/8 core, in place on 16 words; locals keep the state in registers.</summary>
    private static void Salsa20_8(Span<uint> b)
    {
        uint x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7],
             x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
        for (int i = 0; i < 8; i += 2)
        {
            // columns
            x4 ^= BitOperations.RotateLeft(x0 + x12, 7); x8 ^= BitOperations.RotateLeft(x4 + x0, 9);
            x12 ^= BitOperations.RotateLeft(x8 + x4, 13); x0 ^= BitOperations.RotateLeft(x12 + x8, 18);
            x9 ^= BitOperations.RotateLeft(x5 + x1, 7); x13 ^= BitOperations.RotateLeft(x9 + x5, 9);
            x1 ^= BitOperations.RotateLeft(x13 + x9, 13); x5 ^= BitOperations.RotateLeft(x1 + x13, 18);
            x14 ^= BitOperations.RotateLeft(x10 + x6, 7); x2 ^= BitOperations.RotateLeft(x14 + x10, 9);
            x6 ^= BitOperations.RotateLeft(x2 + x14, 13); x10 ^= BitOperations.RotateLeft(x6 + x2, 18);
            x3 ^= BitOperations.RotateLeft(x15 + x11, 7); x7 ^= BitOperations.RotateLeft(x3 + x15, 9);
            x11 ^= BitOperations.RotateLeft(x7 + x3, 13); x15 ^= BitOperations.RotateLeft(x11 + x7, 18);
            // rows
            x1 ^= BitOperations.RotateLeft(x0 + x3, 7); x2 ^= BitOperations.RotateLeft(x1 + x0, 9);
            x3 ^= BitOperations.RotateLeft(x2 + x1, 13); x0 ^= BitOperations.RotateLeft(x3 + x2, 18);
            x6 ^= BitOperations.RotateLeft(x5 + x4, 7); x7 ^= BitOperations.RotateLeft(x6 + x5, 9);
            x4 ^= BitOperations.RotateLeft(x7 + x6, 13); x5 ^= BitOperations.RotateLeft(x4 + x7, 18);
            x11 ^= BitOperations.RotateLeft(x10 + x9, 7); x8 ^= BitOperations.RotateLeft(x11 + x10, 9);
            x9 ^= BitOperations.RotateLeft(x8 + x11, 13); x10 ^= BitOperations.RotateLeft(x9 + x8, 18);
            x12 ^= BitOperations.RotateLeft(x15 + x14, 7); x13 ^= BitOperations.RotateLeft(x12 + x15, 9);
            x14 ^= BitOperations.RotateLeft(x13 + x12, 13); x15 ^= BitOperations.RotateLeft(x14 + x13, 18);
        }
        b[0] += x0; b[1] += x1; b[2] += x2; b[3] += x3; b[4] += x4; b[5] += x5; b[6] += x6; b[7] += x7;
        b[8] += x8; b[9] += x9; b[10] += x10; b[11] += x11; b[12] += x12; b[13] += x13; b[14] += x14; b[15] += x15;
    }
}
