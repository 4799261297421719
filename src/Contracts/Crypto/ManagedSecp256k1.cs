using NBitcoin.Secp256k1;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// secp256k1 in managed code, for machines without libsecp256k1: NBitcoin.Secp256k1, a C# port of libsecp256k1 with
/// constant-time signing. Same results as the native backend by construction (RFC 6979 HMAC-SHA256 nonce, s folded
/// into the lower half, the recovery id of the folded signature); the cross-check tests hold it to that byte for byte.
/// </summary>
public sealed class ManagedSecp256k1 : ISecp256k1
{
    public string Name => "managed";

    public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32)
    {
        CheckLength(digest32, 32, "digest");
        using var key = PrivateKey(privateKey32);
        if (!key.TrySignRecoverable(digest32, out var recoverable) || recoverable is null)
            throw new InvalidOperationException("signing failed: no valid nonce was found for this key and digest");
        Span<byte> compact = stackalloc byte[64];
        recoverable.WriteToSpanCompact(compact, out int recoveryId);
        // libsecp256k1 (and so its port) can produce recovery ids 2/3 only when r ≥ p − n, probability ~2^-128; Ethereum's
        // v cannot express them, so such a signature must not be produced.
        if (recoveryId > 1) throw new InvalidOperationException("signature needs recovery id 2 or 3, which Ethereum's v cannot carry");
        return Signature.FromParts(compact[..32], compact[32..], recoveryId);
    }

    public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
    {
        CheckLength(digest32, 32, "digest");
        ArgumentNullException.ThrowIfNull(signature);
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(signature.Bytes[..64], signature.RecoveryId, out var recoverable) || recoverable is null)
            throw new SignatureFormatException("r or s is not a valid scalar (zero or not below the group order)");
        if (!ECPubKey.TryRecover(Context.Instance, recoverable, digest32, out var publicKey) || publicKey is null)
            throw new SignatureFormatException("no public key recovers from this signature and digest");
        return Uncompressed(publicKey);
    }

    public byte[] PublicKey(ReadOnlySpan<byte> privateKey32)
    {
        using var key = PrivateKey(privateKey32);
        return Uncompressed(key.CreatePubKey());
    }

    public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64)
    {
        CheckLength(digest32, 32, "digest");
        CheckLength(publicKey64, 64, "public key");
        ArgumentNullException.ThrowIfNull(signature);
        Span<byte> encoded = stackalloc byte[65];
        encoded[0] = 0x04;
        publicKey64.CopyTo(encoded[1..]);
        if (!ECPubKey.TryCreate(encoded, Context.Instance, out _, out var publicKey) || publicKey is null) return false;
        if (!SecpECDSASignature.TryCreateFromCompact(signature.Bytes[..64], out var ecdsa) || ecdsa is null) return false;
        // As libsecp256k1's secp256k1_ecdsa_verify: a high-s signature does not verify.
        return publicKey.SigVerify(ecdsa, digest32);
    }

    private static ECPrivKey PrivateKey(ReadOnlySpan<byte> privateKey32)
    {
        CheckLength(privateKey32, 32, "private key");
        return ECPrivKey.TryCreate(privateKey32, out var key) && key is not null
            ? key
            : throw new ArgumentException("private key is outside [1, n-1]", nameof(privateKey32));
    }

    private static byte[] Uncompressed(ECPubKey publicKey)
    {
        Span<byte> encoded = stackalloc byte[65];
        publicKey.WriteToSpan(compressed: false, encoded, out _);
        return encoded[1..].ToArray();
    }

    private static void CheckLength(ReadOnlySpan<byte> value, int expected, string what)
    {
        if (value.Length != expected) throw new ArgumentException($"{what} must be {expected} bytes, got {value.Length}");
    }
}
