using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// Ethereum's keccak256 (original Keccak padding, 0x01). Never .NET's SHA3_256, which is NIST SHA3 with
/// 0x06 padding and gives different digests (vectors.md: SHA3-256("") = a7ffc6f8…, keccak256("") = c5d24601…).
/// </summary>
/// <remarks>
/// Our own sponge over Keccak-f[1600] (rate 136 bytes, capacity 512 bits): the permutation unrolled over 25 local
/// lanes, input absorbed straight from the caller's span. BouncyCastle's digest (the earlier implementation) needs
/// arrays, so every short hash — transaction ids, EIP-712 struct hashes, addresses — paid for a digest object, pooled
/// buffers and copies, and long inputs (a block's change set for its app hash) went through its byte queue.
/// </remarks>
public static class Keccak256
{
    private const int Rate = 136;

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
        Span<ulong> state = stackalloc ulong[25];
        state.Clear();
        while (data.Length >= Rate)
        {
            AbsorbBlock(state, data[..Rate]);
            data = data[Rate..];
        }
        Finish(state, data, output);
    }

    /// <summary>keccak256 over the concatenation of several parts, without copying them together first.</summary>
    public static Hash32 HashConcat(params byte[][] parts)
    {
        var sponge = new Sponge();
        foreach (var part in parts) sponge.Update(part);
        var output = new byte[32];
        sponge.Final(output);
        return Hash32.Wrap(output);
    }

    /// <summary>An incremental keccak256: feed any number of spans, then take the digest once.</summary>
    public sealed class Sponge
    {
        private readonly ulong[] _state = new ulong[25];
        private readonly byte[] _pending = new byte[Rate];
        private int _filled;
        private bool _final;

        public void Update(ReadOnlySpan<byte> data)
        {
            if (_final) throw new InvalidOperationException("the digest was already taken");
            if (_filled > 0)
            {
                int take = Math.Min(Rate - _filled, data.Length);
                data[..take].CopyTo(_pending.AsSpan(_filled));
                _filled += take;
                data = data[take..];
                if (_filled < Rate) return;
                AbsorbBlock(_state, _pending);
                _filled = 0;
            }
            while (data.Length >= Rate)
            {
                AbsorbBlock(_state, data[..Rate]);
                data = data[Rate..];
            }
            data.CopyTo(_pending);
            _filled = data.Length;
        }

        /// <summary>Writes the digest into the first 32 bytes of <paramref name="output"/>.</summary>
        public void Final(Span<byte> output)
        {
            if (output.Length < 32) throw new ArgumentException($"output needs 32 bytes, has {output.Length}", nameof(output));
            if (_final) throw new InvalidOperationException("the digest was already taken");
            _final = true;
            Finish(_state, _pending.AsSpan(0, _filled), output);
        }
    }

    /// <summary>Pads the last partial block (Keccak: 0x01 … 0x80), absorbs it and squeezes 32 bytes.</summary>
    private static void Finish(Span<ulong> state, ReadOnlySpan<byte> tail, Span<byte> output)
    {
        Span<byte> last = stackalloc byte[Rate];
        last.Clear();
        tail.CopyTo(last);
        last[tail.Length] ^= 0x01;
        last[Rate - 1] ^= 0x80;
        AbsorbBlock(state, last);
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt64LittleEndian(output[(8 * i)..], state[i]);
    }

    private static void AbsorbBlock(Span<ulong> state, ReadOnlySpan<byte> block)
    {
        for (int i = 0; i < Rate / 8; i++) state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block[(8 * i)..]);
        Permute(state);
    }

    private static readonly ulong[] RoundConstants =
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
        0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
        0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL
    ];

    /// <summary>
    /// Keccak-f[1600]; lane (x, y) is state[x + 5y]. Generated: θ, ρ and π, χ, ι over local lanes, θ's column
    /// correction applied as each lane is rotated (the JIT then spills fewer of the 60 locals: ≈ 25 % fewer
    /// instructions than storing it back first), lanes loaded and stored without bounds checks (the span holds 25).
    /// </summary>
    private static void Permute(Span<ulong> state)
    {
        if (state.Length < 25) throw new ArgumentException($"the Keccak state has 25 lanes, got {state.Length}", nameof(state));
        ref ulong s = ref MemoryMarshal.GetReference(state);
        ref ulong roundConstants = ref MemoryMarshal.GetArrayDataReference(RoundConstants);
        ulong a00 = Unsafe.Add(ref s, 0), a10 = Unsafe.Add(ref s, 1), a20 = Unsafe.Add(ref s, 2), a30 = Unsafe.Add(ref s, 3), a40 = Unsafe.Add(ref s, 4), a01 = Unsafe.Add(ref s, 5), a11 = Unsafe.Add(ref s, 6), a21 = Unsafe.Add(ref s, 7), a31 = Unsafe.Add(ref s, 8), a41 = Unsafe.Add(ref s, 9), a02 = Unsafe.Add(ref s, 10), a12 = Unsafe.Add(ref s, 11), a22 = Unsafe.Add(ref s, 12), a32 = Unsafe.Add(ref s, 13), a42 = Unsafe.Add(ref s, 14), a03 = Unsafe.Add(ref s, 15), a13 = Unsafe.Add(ref s, 16), a23 = Unsafe.Add(ref s, 17), a33 = Unsafe.Add(ref s, 18), a43 = Unsafe.Add(ref s, 19), a04 = Unsafe.Add(ref s, 20), a14 = Unsafe.Add(ref s, 21), a24 = Unsafe.Add(ref s, 22), a34 = Unsafe.Add(ref s, 23), a44 = Unsafe.Add(ref s, 24);
        ulong c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
        ulong b00, b10, b20, b30, b40, b01, b11, b21, b31, b41, b02, b12, b22, b32, b42, b03, b13, b23, b33, b43, b04, b14, b24, b34, b44;
        for (int round = 0; round < 24; round++)
        {
            c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
            c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
            c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
            c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
            c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
            d0 = c4 ^ BitOperations.RotateLeft(c1, 1);
            d1 = c0 ^ BitOperations.RotateLeft(c2, 1);
            d2 = c1 ^ BitOperations.RotateLeft(c3, 1);
            d3 = c2 ^ BitOperations.RotateLeft(c4, 1);
            d4 = c3 ^ BitOperations.RotateLeft(c0, 1);
            // θ's d folded into ρ and π: each lane is read once, so no a ^= d is stored back.
            b00 = a00 ^ d0;
            b13 = BitOperations.RotateLeft(a01 ^ d0, 36);
            b21 = BitOperations.RotateLeft(a02 ^ d0, 3);
            b34 = BitOperations.RotateLeft(a03 ^ d0, 41);
            b42 = BitOperations.RotateLeft(a04 ^ d0, 18);
            b02 = BitOperations.RotateLeft(a10 ^ d1, 1);
            b10 = BitOperations.RotateLeft(a11 ^ d1, 44);
            b23 = BitOperations.RotateLeft(a12 ^ d1, 10);
            b31 = BitOperations.RotateLeft(a13 ^ d1, 45);
            b44 = BitOperations.RotateLeft(a14 ^ d1, 2);
            b04 = BitOperations.RotateLeft(a20 ^ d2, 62);
            b12 = BitOperations.RotateLeft(a21 ^ d2, 6);
            b20 = BitOperations.RotateLeft(a22 ^ d2, 43);
            b33 = BitOperations.RotateLeft(a23 ^ d2, 15);
            b41 = BitOperations.RotateLeft(a24 ^ d2, 61);
            b01 = BitOperations.RotateLeft(a30 ^ d3, 28);
            b14 = BitOperations.RotateLeft(a31 ^ d3, 55);
            b22 = BitOperations.RotateLeft(a32 ^ d3, 25);
            b30 = BitOperations.RotateLeft(a33 ^ d3, 21);
            b43 = BitOperations.RotateLeft(a34 ^ d3, 56);
            b03 = BitOperations.RotateLeft(a40 ^ d4, 27);
            b11 = BitOperations.RotateLeft(a41 ^ d4, 20);
            b24 = BitOperations.RotateLeft(a42 ^ d4, 39);
            b32 = BitOperations.RotateLeft(a43 ^ d4, 8);
            b40 = BitOperations.RotateLeft(a44 ^ d4, 14);
            a00 = b00 ^ (~b10 & b20);
            a10 = b10 ^ (~b20 & b30);
            a20 = b20 ^ (~b30 & b40);
            a30 = b30 ^ (~b40 & b00);
            a40 = b40 ^ (~b00 & b10);
            a01 = b01 ^ (~b11 & b21);
            a11 = b11 ^ (~b21 & b31);
            a21 = b21 ^ (~b31 & b41);
            a31 = b31 ^ (~b41 & b01);
            a41 = b41 ^ (~b01 & b11);
            a02 = b02 ^ (~b12 & b22);
            a12 = b12 ^ (~b22 & b32);
            a22 = b22 ^ (~b32 & b42);
            a32 = b32 ^ (~b42 & b02);
            a42 = b42 ^ (~b02 & b12);
            a03 = b03 ^ (~b13 & b23);
            a13 = b13 ^ (~b23 & b33);
            a23 = b23 ^ (~b33 & b43);
            a33 = b33 ^ (~b43 & b03);
            a43 = b43 ^ (~b03 & b13);
            a04 = b04 ^ (~b14 & b24);
            a14 = b14 ^ (~b24 & b34);
            a24 = b24 ^ (~b34 & b44);
            a34 = b34 ^ (~b44 & b04);
            a44 = b44 ^ (~b04 & b14);
            a00 ^= Unsafe.Add(ref roundConstants, round);
        }
        Unsafe.Add(ref s, 0) = a00; Unsafe.Add(ref s, 1) = a10; Unsafe.Add(ref s, 2) = a20; Unsafe.Add(ref s, 3) = a30; Unsafe.Add(ref s, 4) = a40;
        Unsafe.Add(ref s, 5) = a01; Unsafe.Add(ref s, 6) = a11; Unsafe.Add(ref s, 7) = a21; Unsafe.Add(ref s, 8) = a31; Unsafe.Add(ref s, 9) = a41;
        Unsafe.Add(ref s, 10) = a02; Unsafe.Add(ref s, 11) = a12; Unsafe.Add(ref s, 12) = a22; Unsafe.Add(ref s, 13) = a32; Unsafe.Add(ref s, 14) = a42;
        Unsafe.Add(ref s, 15) = a03; Unsafe.Add(ref s, 16) = a13; Unsafe.Add(ref s, 17) = a23; Unsafe.Add(ref s, 18) = a33; Unsafe.Add(ref s, 19) = a43;
        Unsafe.Add(ref s, 20) = a04; Unsafe.Add(ref s, 21) = a14; Unsafe.Add(ref s, 22) = a24; Unsafe.Add(ref s, 23) = a34; Unsafe.Add(ref s, 24) = a44;
    }
}
