using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// A Web3 Secret Storage (keystore v3) file, as go-ethereum and ethers write it: a private key encrypted with
/// AES-128-CTR under the first half of a scrypt- or pbkdf2-derived key, authenticated by
/// MAC = keccak256(derivedKey[16..32] ‖ ciphertext). Parse/serialise with <see cref="Parse"/> and <see cref="ToJson"/>.
/// </summary>
public sealed class Keystore
{
    /// <summary>The only cipher v3 keystores use.</summary>
    public const string Cipher = "aes-128-ctr";

    private readonly byte[] _salt, _iv, _cipherText, _mac;

    internal Keystore(Guid? id, Address? address, KeystoreKdf kdf, byte[] salt, byte[] iv, byte[] cipherText, byte[] mac)
    {
        Id = id; Address = address; Kdf = kdf;
        _salt = salt; _iv = iv; _cipherText = cipherText; _mac = mac;
    }

    /// <summary>The file's "id" (a v4 uuid in files we write; optional when reading).</summary>
    public Guid? Id { get; }
    /// <summary>The file's "address" field when present. It is not authenticated by the MAC, so <see cref="Decrypt(string, Contracts.Crypto.Address?)"/> re-derives and compares it.</summary>
    public Address? Address { get; }
    /// <summary>How the password becomes the AES and MAC keys.</summary>
    public KeystoreKdf Kdf { get; }
    public ReadOnlySpan<byte> Salt => _salt;
    public ReadOnlySpan<byte> Iv => _iv;
    public ReadOnlySpan<byte> CipherText => _cipherText;
    public ReadOnlySpan<byte> Mac => _mac;

    /// <summary>Parses keystore JSON; throws <see cref="KeystoreException"/> naming what is missing or unsupported.</summary>
    public static Keystore Parse(string json) => KeystoreJson.Read(json);

    /// <summary>The JSON in go-ethereum's layout (lower-case hex without 0x, version 3).</summary>
    public string ToJson() => KeystoreJson.Write(this);

    /// <summary>
    /// Encrypts a 32-byte private key with a fresh 32-byte salt, 16-byte IV and v4 uuid, like geth.
    /// <paramref name="kdf"/> defaults to <see cref="ScryptKdf.Standard"/>; tests pass a cheap one.
    /// </summary>
    public static Keystore Encrypt(ReadOnlySpan<byte> privateKey, string password, KeystoreKdf? kdf = null)
        => Encrypt(privateKey, password, kdf ?? ScryptKdf.Standard,
            RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(16), Guid.NewGuid());

    /// <summary>Deterministic <see cref="Encrypt(ReadOnlySpan{byte}, string, KeystoreKdf?)"/> for tests.</summary>
    internal static Keystore Encrypt(ReadOnlySpan<byte> privateKey, string password, KeystoreKdf kdf, byte[] salt, byte[] iv, Guid id)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!IsValidPrivateKey(privateKey))
            throw new ArgumentException("a private key is 32 bytes in [1, n-1] of secp256k1", nameof(privateKey));
        var address = AddressOf(privateKey);
        var derived = DeriveKey(kdf, password, salt);
        try
        {
            var cipherText = new byte[privateKey.Length];
            AesCtr.Transform(derived.AsSpan(0, 16), iv, privateKey, cipherText);
            return new Keystore(id, address, kdf, salt, iv, cipherText, ComputeMac(derived, cipherText));
        }
        finally { CryptographicOperations.ZeroMemory(derived); }
    }

    /// <summary>Parses and decrypts in one step; see <see cref="Decrypt(string, Contracts.Crypto.Address?)"/>.</summary>
    public static byte[] Decrypt(string json, string password, Address? expectedAddress = null)
        => Parse(json).Decrypt(password, expectedAddress);

    /// <summary>
    /// Returns the 32-byte private key. Throws <see cref="KeystoreException"/>: <c>WRONG_PASSWORD</c> when the MAC
    /// does not match; <c>ADDRESS_MISMATCH</c> when the key's address differs from <paramref name="expectedAddress"/>
    /// or from the file's own "address" field; <c>MALFORMED_KEYSTORE</c> when the plaintext is not a valid key.
    /// </summary>
    public byte[] Decrypt(string password, Address? expectedAddress = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var derived = DeriveKey(Kdf, password, _salt);
        try
        {
            // The MAC is checked before decrypting, in constant time, exactly as geth does.
            if (!CryptographicOperations.FixedTimeEquals(ComputeMac(derived, _cipherText), _mac))
                throw new KeystoreException(KeystoreFailure.WrongPassword, "keystore: wrong password (MAC mismatch)");
            var key = new byte[_cipherText.Length];
            AesCtr.Transform(derived.AsSpan(0, 16), _iv, _cipherText, key);
            if (!IsValidPrivateKey(key))
            {
                CryptographicOperations.ZeroMemory(key);
                throw new KeystoreException(KeystoreFailure.MalformedKeystore, $"keystore: the decrypted key is not a secp256k1 private key ({_cipherText.Length} bytes)");
            }
            var actual = AddressOf(key);
            foreach (var (expected, what) in new[] { (expectedAddress, "expected"), (Address, "the file's address") })
                if (expected is { } e && e != actual)
                {
                    CryptographicOperations.ZeroMemory(key);
                    throw new KeystoreException(KeystoreFailure.AddressMismatch, $"keystore: key belongs to {actual}, not {what} {e}");
                }
            return key;
        }
        finally { CryptographicOperations.ZeroMemory(derived); }
    }

    private static byte[] DeriveKey(KeystoreKdf kdf, string password, byte[] salt)
    {
        // geth feeds the password's bytes as they are (no Unicode normalisation); so do we, to read its files.
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try { return kdf.Derive(passwordBytes, salt); }
        finally { CryptographicOperations.ZeroMemory(passwordBytes); }
    }

    private static byte[] ComputeMac(byte[] derived, byte[] cipherText)
        => Keccak256.HashConcat(derived[16..32], cipherText).ToArray();

    private static Address AddressOf(ReadOnlySpan<byte> privateKey) => Crypto.Address.FromPublicKey(Secp256k1.Default.PublicKey(privateKey));

    private static bool IsValidPrivateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32) return false;
        var k = new BigInteger(key, isUnsigned: true, isBigEndian: true);
        return !k.IsZero && k < Signature.N;
    }
}
