using System.Text;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

public class ScryptTests
{
    // RFC 7914 §12 test vectors (the N = 1048576 one needs 1 GiB and is left to manual runs).
    [Theory]
    [InlineData("", "", 16, 1, 1,
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")]
    [InlineData("password", "NaCl", 1024, 8, 16,
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")]
    [InlineData("pleaseletmein", "SodiumChloride", 16384, 8, 1,
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887")]
    public void Rfc7914_Section12(string password, string salt, int n, int r, int p, string expected)
    {
        var dk = Scrypt.DeriveKey(Encoding.ASCII.GetBytes(password), Encoding.ASCII.GetBytes(salt), n, r, p, 64);
        Assert.Equal(expected, Convert.ToHexStringLower(dk));
    }

    [Theory]
    [InlineData(2, 1, 1)]
    [InlineData(64, 2, 3)]
    [InlineData(256, 4, 2)]
    public void AgreesWithBouncyCastle_WhereBouncyCastleAcceptsTheParameters(int n, int r, int p)
    {
        var password = Encoding.UTF8.GetBytes("correct horse");
        var salt = Encoding.UTF8.GetBytes("battery staple");
        var expected = Org.BouncyCastle.Crypto.Generators.SCrypt.Generate(password, salt, n, r, p, 48);
        Assert.Equal(expected, Scrypt.DeriveKey(password, salt, n, r, p, 48));
    }

    [Theory]
    [InlineData(0, 1, 1, 32, "power of two")]
    [InlineData(1, 1, 1, 32, "power of two")]
    [InlineData(1000, 1, 1, 32, "power of two")]
    [InlineData(16, 0, 1, 32, "r must be at least 1")]
    [InlineData(16, 1, 0, 32, "p must be at least 1")]
    [InlineData(16, 1, 1, 0, "dkLen")]
    [InlineData(1 << 24, 8, 1, 32, "exceeds the 2048 MiB cap")]
    public void RejectsBadParameters_NamingTheValue(int n, int r, int p, int dkLen, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(() => Scrypt.DeriveKey([], [], n, r, p, dkLen));
        Assert.Contains(fragment, e.Message);
    }
}
