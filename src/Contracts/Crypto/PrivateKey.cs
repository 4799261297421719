using System.Security.Cryptography;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>A secp256k1 private key with its address; signs 32-byte digests (EIP-712 digests, block headers).</summary>
public sealed class PrivateKey
{
    private readonly byte[] _bytes;
    private readonly ISecp256k1 _backend;

    /// <summary>Wraps 32 bytes; throws <see cref="ArgumentException"/> when outside [1, n-1].</summary>
    public PrivateKey(ReadOnlySpan<byte> bytes, ISecp256k1? backend = null)
    {
        _backend = backend ?? Secp256k1.Default;
        _bytes = bytes.ToArray();
        PublicKey = _backend.PublicKey(_bytes); // validates the range
        Address = Address.FromPublicKey(PublicKey);
    }

    /// <summary>Parses 32 bytes of hex.</summary>
    public static PrivateKey Parse(string hex) => new(Hex.Decode(hex, 32));

    /// <summary>A fresh key from the OS's cryptographic random source (wallet and key tools only, never ledger logic).</summary>
    public static PrivateKey Generate()
    {
        Span<byte> candidate = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(candidate);
            try { return new PrivateKey(candidate); }
            catch (ArgumentException) { /* 0 or ≥ n: probability ~2^-128, draw again */ }
        }
    }

    /// <summary>The 64-byte uncompressed public key (x ‖ y).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The account address.</summary>
    public Address Address { get; }

    /// <summary>The raw 32 bytes (for keystore encryption).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Signs a digest: RFC 6979, low-s, v = 27/28.</summary>
    public Signature Sign(Hash32 digest) => _backend.Sign(digest.Bytes, _bytes);

    /// <summary>Signs raw 32 bytes.</summary>
    public Signature Sign(ReadOnlySpan<byte> digest32) => _backend.Sign(digest32, _bytes);
}

/// <summary>Recovers signer addresses from digests and signatures with the process's backend.</summary>
public static class Signer
{
    /// <summary>The address that signed <paramref name="digest"/>; throws <see cref="SignatureFormatException"/> when none recovers.</summary>
    public static Address Recover(Hash32 digest, Signature signature, ISecp256k1? backend = null)
        => Recover(digest.Bytes, signature, backend ?? Secp256k1.Default);

    /// <summary>As <see cref="Recover(Hash32, Signature, ISecp256k1?)"/>, the public key kept on the stack: only the address is allocated.</summary>
    public static Address Recover(ReadOnlySpan<byte> digest32, Signature signature, ISecp256k1 backend)
    {
        Span<byte> publicKey = stackalloc byte[64];
        backend.RecoverPublicKey(digest32, signature, publicKey);
        return Address.FromPublicKey(publicKey);
    }
}
