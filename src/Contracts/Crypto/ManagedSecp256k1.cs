using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// secp256k1 in managed code (Portable.BouncyCastle), for machines without libsecp256k1. Same results as the
/// native backend: RFC 6979 nonce with HMAC-SHA256 (as libsecp256k1's default nonce function), s folded into
/// the lower half, recovery id by SEC 1 §4.1.6 public key recovery.
/// </summary>
public sealed class ManagedSecp256k1 : ISecp256k1
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);

    public string Name => "managed";

    public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32)
    {
        CheckLength(digest32, 32, "digest");
        var d = PrivateScalar(privateKey32);
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        var message = digest32.ToArray();
        var rs = signer.GenerateSignature(message);
        BigInteger r = rs[0], s = rs[1];
        if (s.CompareTo(HalfN) > 0) s = Curve.N.Subtract(s);

        var publicKey = Domain.G.Multiply(d).Normalize();
        var rBytes = r.ToByteArrayUnsigned().PadLeft32();
        var sBytes = s.ToByteArrayUnsigned().PadLeft32();
        for (int recoveryId = 0; recoveryId < 2; recoveryId++)
        {
            var candidate = Recover(message, r, s, recoveryId);
            if (candidate is not null && candidate.Equals(publicKey))
                return Signature.FromParts(rBytes, sBytes, recoveryId);
        }
        // Only reachable when r ≥ p − n (x of R above n, recovery ids 2/3), probability ~2^-128; Ethereum's v
        // cannot express it, so such a signature must not be produced.
        throw new InvalidOperationException("signature needs recovery id 2 or 3, which Ethereum's v cannot carry");
    }

    public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
    {
        CheckLength(digest32, 32, "digest");
        var r = new BigInteger(1, signature.R.ToArray());
        var s = new BigInteger(1, signature.S.ToArray());
        var point = Recover(digest32.ToArray(), r, s, signature.RecoveryId)
            ?? throw new SignatureFormatException("no public key recovers from this signature and digest");
        return Encode(point);
    }

    public byte[] PublicKey(ReadOnlySpan<byte> privateKey32) => Encode(Domain.G.Multiply(PrivateScalar(privateKey32)).Normalize());

    public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64)
    {
        CheckLength(digest32, 32, "digest");
        CheckLength(publicKey64, 64, "public key");
        ECPoint q;
        try
        {
            var encoded = new byte[65];
            encoded[0] = 0x04;
            publicKey64.CopyTo(encoded.AsSpan(1));
            q = Curve.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException) { return false; }
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(q, Domain));
        return verifier.VerifySignature(digest32.ToArray(), new BigInteger(1, signature.R.ToArray()), new BigInteger(1, signature.S.ToArray()));
    }

    /// <summary>SEC 1 §4.1.6: R from x = r and the parity bit, then Q = r⁻¹(sR − eG).</summary>
    private static ECPoint? Recover(byte[] digest, BigInteger r, BigInteger s, int recoveryId)
    {
        var n = Curve.N;
        var x = r; // recovery ids 0/1 only: x = r + 0·n
        var prime = Curve.Curve.Field.Characteristic;
        if (x.CompareTo(prime) >= 0) return null;
        var compressed = new byte[33];
        compressed[0] = (byte)(0x02 + (recoveryId & 1));
        x.ToByteArrayUnsigned().PadLeft32().CopyTo(compressed, 1);
        ECPoint rPoint;
        try { rPoint = Curve.Curve.DecodePoint(compressed); }
        catch (ArgumentException) { return null; }
        var e = new BigInteger(1, digest);
        var rInverse = r.ModInverse(n);
        var u1 = e.Negate().Mod(n).Multiply(rInverse).Mod(n);
        var u2 = s.Multiply(rInverse).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, u1, rPoint, u2).Normalize();
        return q.IsInfinity ? null : q;
    }

    private static BigInteger PrivateScalar(ReadOnlySpan<byte> privateKey32)
    {
        CheckLength(privateKey32, 32, "private key");
        var d = new BigInteger(1, privateKey32.ToArray());
        if (d.SignValue == 0 || d.CompareTo(Curve.N) >= 0)
            throw new ArgumentException("private key is outside [1, n-1]", nameof(privateKey32));
        return d;
    }

    private static byte[] Encode(ECPoint point) => point.GetEncoded(false).AsSpan(1).ToArray();

    private static void CheckLength(ReadOnlySpan<byte> value, int expected, string what)
    {
        if (value.Length != expected) throw new ArgumentException($"{what} must be {expected} bytes, got {value.Length}");
    }
}

internal static class ByteArrayPadding
{
    /// <summary>Left-pads a big-endian unsigned integer to 32 bytes.</summary>
    public static byte[] PadLeft32(this byte[] value)
    {
        if (value.Length == 32) return value;
        if (value.Length > 32) throw new ArgumentException($"value has {value.Length} bytes, more than 32");
        var padded = new byte[32];
        value.CopyTo(padded, 32 - value.Length);
        return padded;
    }
}
