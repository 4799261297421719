namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// The secp256k1 operations the ledger needs, over 32-byte digests. Implementations: <c>NativeSecp256k1</c>
/// (libsecp256k1.so.1) and <c>ManagedSecp256k1</c> (NBitcoin.Secp256k1); both must give byte-identical
/// results (RFC 6979 nonces, low-s). Implementations are thread-safe.
/// </summary>
public interface ISecp256k1
{
    /// <summary>"native" or "managed".</summary>
    string Name { get; }

    /// <summary>Signs a 32-byte digest with a 32-byte private key: RFC 6979 nonce, low-s, recoverable.</summary>
    Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32);

    /// <summary>Recovers the signer's 64-byte uncompressed public key (x ‖ y); throws <see cref="SignatureFormatException"/> when no key recovers.</summary>
    byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature);

    /// <summary>
    /// <see cref="RecoverPublicKey(ReadOnlySpan{byte}, Signature)"/> into the caller's 64 bytes (the door recovers two
    /// signers per contract and needs only their addresses); a backend overrides it to write without an array.
    /// </summary>
    void RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature, Span<byte> publicKey64)
        => RecoverPublicKey(digest32, signature).CopyTo(publicKey64);

    /// <summary>The 64-byte uncompressed public key (x ‖ y) of a private key; throws <see cref="ArgumentException"/> for a key outside [1, n-1].</summary>
    byte[] PublicKey(ReadOnlySpan<byte> privateKey32);

    /// <summary>Verifies a signature against a 64-byte public key.</summary>
    bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64);
}
