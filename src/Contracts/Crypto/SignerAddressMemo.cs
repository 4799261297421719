using System.Runtime.InteropServices;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// The addresses of recently seen public keys. A node recovers the same signers again and again (traders, aggregators,
/// device keys, validators' votes), and each address costs a keccak256 permutation; a lookup is a fraction of one.
/// An address is a pure function of its key, so what is held can never change an outcome, only skip the hash.
/// </summary>
internal static class SignerAddressMemo
{
    /// <summary>A 64-byte public key compared as four 128-bit words.</summary>
    private readonly record struct Key(UInt128 A, UInt128 B, UInt128 C, UInt128 D);

    internal const int Capacity = 1 << 16;
    private static readonly BoundedMemo<Key, Address> Addresses = new(Capacity);

    /// <summary>The held address of <paramref name="publicKey64"/> (64 bytes), if any.</summary>
    public static bool TryGet(ReadOnlySpan<byte> publicKey64, out Address address)
        => Addresses.TryGet(MemoryMarshal.Read<Key>(publicKey64), out address);

    /// <summary>Holds <paramref name="address"/> as the address of <paramref name="publicKey64"/> (64 bytes).</summary>
    public static void Hold(ReadOnlySpan<byte> publicKey64, Address address)
        => Addresses.Hold(MemoryMarshal.Read<Key>(publicKey64), address);
}
