using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

public class KeystoreTests
{
    private static readonly byte[] Key = Convert.FromHexString(GethKeystoreVectors.PrivateKey);
    private static readonly ScryptKdf FastScrypt = new(16, 8, 1);

    // go-ethereum accounts/keystore/testdata/v3_test_vector.json, "wikipage_test_vector_pbkdf2" / "_scrypt".
    [Theory]
    [InlineData("geth-v3-pbkdf2.json")]
    [InlineData("geth-v3-scrypt.json")]
    public void GethV3TestVector_Decrypts(string file)
    {
        var key = Keystore.Decrypt(GethKeystoreVectors.Load(file), GethKeystoreVectors.Password, Address.Parse(GethKeystoreVectors.Address));
        Assert.Equal(GethKeystoreVectors.PrivateKey, Convert.ToHexStringLower(key));
    }

    [Fact]
    public void GethV3TestVector_Pbkdf2_IsReproducedByEncrypt()
    {
        var vector = Keystore.Parse(GethKeystoreVectors.Pbkdf2);
        var ours = Keystore.Encrypt(Key, GethKeystoreVectors.Password, vector.Kdf, vector.Salt.ToArray(), vector.Iv.ToArray(), vector.Id!.Value);
        Assert.Equal(vector.CipherText.ToArray(), ours.CipherText.ToArray());
        Assert.Equal(vector.Mac.ToArray(), ours.Mac.ToArray());
    }

    [Fact]
    public void WrongPassword_IsTypedAndOneLine()
    {
        var json = Keystore.Encrypt(Key, "right", FastScrypt).ToJson();
        var e = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(json, "wrong"));
        Assert.Equal(KeystoreFailure.WrongPassword, e.Failure);
        Assert.Equal("WRONG_PASSWORD", e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("mac")]
    [InlineData("ciphertext")]
    public void TamperedField_FailsTheMac(string field)
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, "pw", FastScrypt).ToJson())!;
        var hex = (string)node["crypto"]![field]!;
        node["crypto"]![field] = (hex[0] == '0' ? "1" : "0") + hex[1..];
        var e = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(node.ToJsonString(), "pw"));
        Assert.Equal(KeystoreFailure.WrongPassword, e.Failure);
    }

    [Fact]
    public void ExpectedAddress_Mismatch_IsRefused()
    {
        var json = Keystore.Encrypt(Key, "pw", FastScrypt).ToJson();
        var e = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(json, "pw", Address.Zero));
        Assert.Equal("ADDRESS_MISMATCH", e.Code);
        Assert.Contains(GethKeystoreVectors.Address, e.Message);
    }

    [Fact]
    public void FileAddressField_IsCheckedAgainstTheDecryptedKey()
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, "pw", FastScrypt).ToJson())!;
        node["address"] = new string('1', 40);
        var e = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(node.ToJsonString(), "pw"));
        Assert.Equal(KeystoreFailure.AddressMismatch, e.Failure);
    }

    [Theory]
    [InlineData("crypto.kdf", "\"argon2id\"", KeystoreFailure.UnsupportedKdf, "argon2id")]
    [InlineData("crypto.kdfparams.n", "1000", KeystoreFailure.UnsupportedKdfParams, "power of two")]
    [InlineData("crypto.kdfparams.n", "33554432", KeystoreFailure.UnsupportedKdfParams, "cap")]
    [InlineData("crypto.kdfparams.dklen", "16", KeystoreFailure.UnsupportedKdfParams, "dklen")]
    [InlineData("crypto.cipher", "\"aes-256-gcm\"", KeystoreFailure.UnsupportedCipher, "aes-256-gcm")]
    [InlineData("version", "1", KeystoreFailure.UnsupportedVersion, "version 1")]
    [InlineData("crypto.mac", "\"zz\"", KeystoreFailure.MalformedKeystore, "mac")]
    [InlineData("crypto.cipherparams.iv", "\"00\"", KeystoreFailure.MalformedKeystore, "16 bytes")]
    [InlineData("crypto.kdfparams.salt", "7", KeystoreFailure.MalformedKeystore, "salt")]
    [InlineData("id", "\"not-a-uuid\"", KeystoreFailure.MalformedKeystore, "uuid")]
    public void RefusedFields_NameTheValue(string path, string json, KeystoreFailure failure, string fragment)
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, "pw", FastScrypt).ToJson())!;
        var parts = path.Split('.');
        var parent = node;
        foreach (var part in parts[..^1]) parent = parent[part]!;
        parent[parts[^1]] = JsonNode.Parse(json);
        var e = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(node.ToJsonString(), "pw"));
        Assert.Equal(failure, e.Failure);
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Pbkdf2WithOtherPrf_IsUnsupportedKdf()
    {
        var node = JsonNode.Parse(GethKeystoreVectors.Pbkdf2)!;
        node["crypto"]!["kdfparams"]!["prf"] = "hmac-sha512";
        var e = Assert.Throws<KeystoreException>(() => Keystore.Parse(node.ToJsonString()));
        Assert.Equal("UNSUPPORTED_KDF", e.Code);
        Assert.Contains("hmac-sha512", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"version\":3}")]
    public void NotAKeystore_IsMalformed(string json)
        => Assert.Equal(KeystoreFailure.MalformedKeystore, Assert.Throws<KeystoreException>(() => Keystore.Parse(json)).Failure);

    [Fact]
    public void GethCapitalisedCrypto_IsRead()
    {
        var json = GethKeystoreVectors.Pbkdf2.Replace("\"crypto\"", "\"Crypto\"");
        Assert.Equal("pbkdf2", Keystore.Parse(json).Kdf.Name);
    }

    [Fact]
    public void WriteThenRead_RoundTrips_InGethLayout()
    {
        var written = Keystore.Encrypt(Key, "pässword", FastScrypt);
        var json = written.ToJson();
        var node = JsonNode.Parse(json)!;
        Assert.Equal(3, (int)node["version"]!);
        Assert.Equal("008aeeda4d805471df9b2a5b0f38a0c3bcba786b", (string)node["address"]!);
        Assert.Equal(4, Guid.Parse((string)node["id"]!).Version);
        Assert.Equal(64, ((string)node["crypto"]!["kdfparams"]!["salt"]!).Length);
        Assert.Equal(32, ((string)node["crypto"]!["cipherparams"]!["iv"]!).Length);

        var read = Keystore.Parse(json);
        Assert.Equal(written.Id, read.Id);
        Assert.Equal(Address.Parse(GethKeystoreVectors.Address), read.Address);
        Assert.Equal(Key, read.Decrypt("pässword"));
    }

    [Fact]
    public void Pbkdf2_RoundTrips()
        => Assert.Equal(Key, Keystore.Decrypt(Keystore.Encrypt(Key, "pw", new Pbkdf2Kdf(1000)).ToJson(), "pw"));

    [Fact]
    public void TwoEncryptions_UseFreshSaltAndIv()
    {
        var a = Keystore.Encrypt(Key, "pw", FastScrypt);
        var b = Keystore.Encrypt(Key, "pw", FastScrypt);
        Assert.NotEqual(a.Salt.ToArray(), b.Salt.ToArray());
        Assert.NotEqual(a.Iv.ToArray(), b.Iv.ToArray());
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void DefaultKdf_IsGethStandardScrypt()
    {
        var json = JsonNode.Parse(Keystore.Encrypt(Key, "pw").ToJson())!;
        var p = json["crypto"]!["kdfparams"]!;
        Assert.Equal("scrypt", (string)json["crypto"]!["kdf"]!);
        Assert.Equal((262144, 8, 1, 32), ((int)p["n"]!, (int)p["r"]!, (int)p["p"]!, (int)p["dklen"]!));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    [InlineData("00")]
    public void Encrypt_RefusesInvalidPrivateKeys(string hex)
        => Assert.Throws<ArgumentException>(() => Keystore.Encrypt(Convert.FromHexString(hex), "pw", FastScrypt));
}
