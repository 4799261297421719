using System.Numerics;
using P2PEnergy.Contracts.Crypto;
using Xunit.Abstractions;

namespace P2PEnergy.Contracts.Tests.Crypto;

/// <summary>
/// Issue 13: every backend (native libsecp256k1, NBitcoin.Secp256k1) signs and recovers on seeded random keys and
/// digests — a fifth of the keys with one or two leading zero bytes — and must give identical signature bytes,
/// public keys and recovered addresses.
/// </summary>
public class Secp256k1CrossCheckTests(ITestOutputHelper output)
{
    private const int Cases = 300;

    [NativeSecp256k1Fact]
    public void EveryBackend_SignsAndRecovers_Identically_OnRandomKeysAndDigests()
    {
        const int seed = 20261201;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        ISecp256k1[] backends = [Backends.Native!, new ManagedSecp256k1()];
        int leadingZeroKeys = 0;
        for (int i = 0; i < Cases; i++)
        {
            var key = RandomKey(random, leadingZeros: i % 5 == 0 ? 1 + i % 2 : 0);
            if (key[0] == 0) leadingZeroKeys++;
            var digest = new byte[32];
            random.NextBytes(digest);
            var signatures = backends.Select(b => b.Sign(digest, key)).ToArray();
            var publicKeys = backends.Select(b => b.PublicKey(key)).ToArray();
            var address = Address.FromPublicKey(publicKeys[0]);
            string at = $"seed {seed}, case {i}, key {Hex.Encode(key)}, digest {Hex.Encode(digest)}";
            foreach (var (backend, j) in backends.Select((b, j) => (b, j)))
            {
                Assert.True(signatures[0].Equals(signatures[j]), $"{backend.Name} signature {signatures[j]} != {signatures[0]} ({at})");
                Assert.True(publicKeys[0].AsSpan().SequenceEqual(publicKeys[j]), $"{backend.Name} public key differs ({at})");
                foreach (var signature in signatures)
                {
                    Assert.True(address == Address.FromPublicKey(backend.RecoverPublicKey(digest, signature)), $"{backend.Name} recovers another signer ({at})");
                    Assert.True(backend.Verify(digest, signature, publicKeys[0]), $"{backend.Name} rejects the signature ({at})");
                }
            }
        }
        Assert.True(leadingZeroKeys >= Cases / 5, $"only {leadingZeroKeys} keys with a leading zero byte");
    }

    [Theory, MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void KeyOutsideTheGroupOrder_IsRefused_ByEveryBackend(string backend)
    {
        var secp = Backends.Get(backend);
        var order = Signature.N.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Contains("[1, n-1]", Assert.Throws<ArgumentException>(() => secp.Sign(new byte[32], new byte[32])).Message);
        Assert.Contains("[1, n-1]", Assert.Throws<ArgumentException>(() => secp.PublicKey(order)).Message);
    }

    /// <summary>A valid private key (in [1, n-1]) whose first <paramref name="leadingZeros"/> bytes are zero.</summary>
    private static byte[] RandomKey(Random random, int leadingZeros)
    {
        var key = new byte[32];
        do
        {
            random.NextBytes(key);
            key.AsSpan(0, leadingZeros).Clear();
            if (leadingZeros > 0 && key[leadingZeros] == 0) key[leadingZeros] = 1;
        } while (new BigInteger(key, isUnsigned: true, isBigEndian: true) is var d && (d.IsZero || d >= Signature.N));
        return key;
    }
}
