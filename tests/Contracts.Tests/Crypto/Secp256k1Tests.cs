using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

/// <summary>Both backends against published vectors, the malformed-signature rules, and each other.</summary>
public class Secp256k1Tests
{
    // EIP-712 Example.js / eth-sig-util "hashForSignTypedData_v3": the Mail digest signed with keccak256("cow").
    private const string CowKey = "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4";
    private const string MailDigest = "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";
    private const string MailSignature = "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c";
    private static readonly Address Cow = Address.Parse("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");

    [Theory, MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Eip712Example_SignatureIsRfc6979LowS(string backend)
    {
        var secp = Backends.Get(backend);
        var signature = secp.Sign(Hex.Decode(MailDigest), Hex.Decode(CowKey));
        Assert.Equal(MailSignature, signature.ToString());
        Assert.Equal(28, signature.V);
    }

    [Theory, MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Eip712Example_RecoversCow(string backend)
    {
        var secp = Backends.Get(backend);
        var publicKey = secp.RecoverPublicKey(Hex.Decode(MailDigest), Signature.Parse(MailSignature));
        Assert.Equal(Cow, Address.FromPublicKey(publicKey));
        Assert.True(secp.Verify(Hex.Decode(MailDigest), Signature.Parse(MailSignature), publicKey));
    }

    [Theory, MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Verify_WrongDigestOrKey_IsFalse(string backend)
    {
        var secp = Backends.Get(backend);
        var signature = Signature.Parse(MailSignature);
        var publicKey = secp.PublicKey(Hex.Decode(CowKey));
        var otherDigest = Hex.Decode(MailDigest); otherDigest[0] ^= 1;
        Assert.False(secp.Verify(otherDigest, signature, publicKey));
        Assert.False(secp.Verify(Hex.Decode(MailDigest), signature, secp.PublicKey(Hex.Decode("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032"))));
    }

    [Theory, MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void PrivateKey_OutsideRange_IsRejected(string backend)
    {
        var secp = Backends.Get(backend);
        Assert.Throws<ArgumentException>(() => secp.PublicKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => secp.PublicKey(Signature.N.ToByteArray(isUnsigned: true, isBigEndian: true)));
        Assert.Throws<ArgumentException>(() => secp.Sign(new byte[32], new byte[32]));
    }

    [Fact]
    public void Malformed_HighS_IsRejected()
    {
        var bytes = Hex.Decode(MailSignature);
        var s = new BigInteger(bytes.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        (Signature.N - s).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(bytes.AsSpan(32));
        var e = Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(bytes));
        Assert.Contains("upper half", e.Message);
    }

    [Theory]
    [InlineData(2)] [InlineData(26)] [InlineData(29)] [InlineData(255)]
    public void Malformed_BadV_IsRejected(byte v)
    {
        var bytes = Hex.Decode(MailSignature);
        bytes[64] = v;
        Assert.Contains($"got {v}", Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(bytes)).Message);
    }

    [Fact]
    public void V_ZeroOrOne_IsNormalisedTo27Or28()
    {
        var bytes = Hex.Decode(MailSignature);
        bytes[64] = 1;
        Assert.Equal(MailSignature, Signature.FromBytes(bytes).ToString());
    }

    [Theory]
    [InlineData(0, "r is out of range")]
    [InlineData(32, "s is out of range")]
    public void Malformed_ZeroROrS_IsRejected(int offset, string expected)
    {
        var bytes = Hex.Decode(MailSignature);
        bytes.AsSpan(offset, 32).Clear();
        Assert.Contains(expected, Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(bytes)).Message);
    }

    [Fact]
    public void RangeRules_AtAndAroundTheirBoundaries_FollowTheCurveOrder()
    {
        // The checks compare big-endian bytes; each boundary against the numbers they stand for.
        BigInteger[] rs = [BigInteger.One, Signature.N - 1, Signature.N, Signature.N + 1, (BigInteger.One << 256) - 1, BigInteger.Zero];
        BigInteger[] ss = [BigInteger.One, Signature.HalfN - 1, Signature.HalfN, Signature.HalfN + 1, Signature.N - 1, Signature.N, (BigInteger.One << 256) - 1, BigInteger.Zero];
        foreach (var r in rs)
        foreach (var s in ss)
        {
            var bytes = new byte[65];
            r.TryWriteBytes(bytes.AsSpan(32 - r.GetByteCount(isUnsigned: true), r.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
            s.TryWriteBytes(bytes.AsSpan(64 - s.GetByteCount(isUnsigned: true), s.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
            bytes[64] = 27;
            string? expected = r.IsZero || r >= Signature.N ? "r is out of range" : s.IsZero || s >= Signature.N ? "s is out of range" : s > Signature.HalfN ? "upper half" : null;
            bool accepted = Signature.TryFromBytes(bytes, out _, out var error);
            Assert.True(accepted == (expected is null), $"r={r:X} s={s:X}: {(accepted ? "accepted" : error)}");
            if (expected is not null) Assert.Contains(expected, error);
        }
    }

    [Theory, MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void RecoverIntoASpan_WritesTheKeyRecoverPublicKeyReturns(string backend)
    {
        var secp = Backends.Get(backend);
        Span<byte> publicKey = stackalloc byte[64];
        secp.RecoverPublicKey(Hex.Decode(MailDigest), Signature.Parse(MailSignature), publicKey);
        Assert.Equal(secp.RecoverPublicKey(Hex.Decode(MailDigest), Signature.Parse(MailSignature)), publicKey.ToArray());
        Assert.Equal(Cow, Signer.Recover(Hex.Decode(MailDigest), Signature.Parse(MailSignature), secp));
    }

    [Fact]
    public void Malformed_RAtOrAboveN_IsRejected()
    {
        var bytes = Hex.Decode(MailSignature);
        Signature.N.ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(bytes, 0);
        Assert.Contains("r is out of range", Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(bytes)).Message);
    }

    [Fact]
    public void Malformed_WrongLength_IsRejected()
        => Assert.Contains("65 bytes", Assert.Throws<SignatureFormatException>(() => Signature.FromBytes(new byte[64])).Message);

    [Fact]
    public void Backend_Selection_HonoursOverrideAndRejectsUnknown()
    {
        var (managed, description) = Secp256k1.Select("managed");
        Assert.Equal("managed", managed.Name);
        Assert.Contains("forced", description);
        Assert.Contains("'fast'", Assert.Throws<InvalidOperationException>(() => Secp256k1.Select("fast")).Message);
    }

    [NativeSecp256k1Fact]
    public void Differential_RandomKeysAndDigests_BackendsAgree()
    {
        var native = Backends.Native!;
        var managed = new ManagedSecp256k1();
        var property = Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 64)), seed =>
        {
            var key = seed[..32];
            if (new BigInteger(key, isUnsigned: true, isBigEndian: true) is var d && (d.IsZero || d >= Signature.N)) return true;
            var digest = seed[32..];
            var a = native.Sign(digest, key);
            var b = managed.Sign(digest, key);
            var address = Address.FromPublicKey(native.PublicKey(key));
            return a.Equals(b)
                && Address.FromPublicKey(managed.PublicKey(key)) == address
                && Address.FromPublicKey(native.RecoverPublicKey(digest, b)) == address
                && Address.FromPublicKey(managed.RecoverPublicKey(digest, a)) == address
                && native.Verify(digest, b, managed.PublicKey(key))
                && managed.Verify(digest, a, native.PublicKey(key));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }
}
