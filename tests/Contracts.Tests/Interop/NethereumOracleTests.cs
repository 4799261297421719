using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using FieldType = Google.Protobuf.Reflection.FieldType;
using Nethereum.ABI.EIP712;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;
using Xunit.Abstractions;

namespace P2PEnergy.Contracts.Tests.Interop;

/// <summary>
/// Nethereum 6.1.0 as an independent oracle (tests only): for seeded random instances of every signed struct its
/// EIP-712 encoder yields our digest, it recovers our signer from our signature and signs the same bytes; and its
/// keystore v3 and ours read each other's files (scrypt and pbkdf2, Unicode passwords).
/// </summary>
public class NethereumOracleTests(ITestOutputHelper output)
{
    private const int Seed = 13;
    private const int InstancesPerStruct = 8;

    public static TheoryData<string> SignedStructs()
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in LedgerTypedData.SignedMessages) data.Add(descriptor.Name);
        return data;
    }

    [Theory, MemberData(nameof(SignedStructs))]
    public void Eip712_RandomInstances_NethereumDigestAndSignerAreOurs(string structName)
    {
        var descriptor = LedgerTypedData.SignedMessages.Single(d => d.Name == structName);
        int seed = Seed * 1000 + LedgerTypedData.SignedMessages.ToList().IndexOf(descriptor);
        var random = new Random(seed);
        var encoder = new Eip712TypedDataEncoder();
        var signer = new Eip712TypedDataSigner();
        for (int i = 0; i < InstancesPerStruct; i++)
        {
            var message = RandomInstance(descriptor, random, depth: 0);
            ulong chainId = (ulong)random.NextInt64(1, long.MaxValue);
            var key = new PrivateKey(RandomKey(random));
            var json = LedgerTypedData.ToDocument(message, chainId).ToJson();
            string at = $"seed {seed}, {structName} #{i}, chain {chainId}: {json}";
            output.WriteLine(at);

            var ours = LedgerTypedData.Digest(message, chainId);
            var theirs = Sha3Keccack.Current.CalculateHash(encoder.EncodeTypedData(json));
            Assert.True(ours.Bytes.SequenceEqual(theirs), $"digest {ours} != Nethereum's {Hex.Encode(theirs)} ({at})");

            var signature = key.Sign(ours);
            var recovered = signer.RecoverFromSignatureV4(json, Hex.Encode(signature.Bytes));
            Assert.True(Address.Parse(recovered) == key.Address, $"Nethereum recovers {recovered}, not {key.Address} ({at})");
            // Both sign deterministically (RFC 6979, low s, v = 27/28): the same bytes.
            var nethereumSignature = signer.SignTypedDataV4(json, new EthECKey(key.Bytes.ToArray(), isPrivate: true));
            Assert.Equal(Hex.Encode(signature.Bytes), nethereumSignature.ToLowerInvariant());
        }
    }

    [Theory]
    [InlineData("scrypt", "correct horse battery staple")]
    [InlineData("scrypt", "пароль-密码-🔑")]
    [InlineData("pbkdf2", "pbkdf2 Ünïcödé ✓")]
    public void Keystore_NethereumReadsOurs_AndWeReadNethereums(string kdf, string password)
    {
        var random = new Random(Seed + kdf.Length + password.Length);
        var privateKey = RandomKey(random);
        var address = new PrivateKey(privateKey).Address;
        var service = new KeyStoreService();

        KeystoreKdf ourKdf = kdf == "scrypt" ? new ScryptKdf(1 << 12, 8, 1) : new Pbkdf2Kdf(1 << 12);
        var ours = Keystore.Encrypt(privateKey, password, ourKdf).ToJson();
        Assert.Equal(privateKey, service.DecryptKeyStoreFromJson(password, ours));

        string theirs = kdf == "scrypt"
            ? new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, privateKey, address.ToString(), new ScryptParams { N = 1 << 12, R = 8, P = 1, Dklen = 32 })
            : new KeyStorePbkdf2Service().EncryptAndGenerateKeyStoreAsJson(password, privateKey, address.ToString(), new Pbkdf2Params { Count = 1 << 12, Dklen = 32, Prf = "hmac-sha256" });
        Assert.Equal(privateKey, Keystore.Decrypt(theirs, password, address));

        // A wrong password fails on both sides (the MAC check), not with a wrong key.
        Assert.Throws<KeystoreException>(() => Keystore.Decrypt(theirs, password + "x"));
        Assert.ThrowsAny<Exception>(() => service.DecryptKeyStoreFromJson(password + "x", ours));
    }

    /// <summary>A random value for every field, recursively: Unicode strings, full-range integers, 0 to 3 list items.</summary>
    private static IMessage RandomInstance(MessageDescriptor descriptor, Random random, int depth)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            object Value() => field.FieldType switch
            {
                FieldType.String => RandomText(random),
                FieldType.Bool => random.Next(2) == 1,
                FieldType.UInt32 => (uint)random.NextInt64(0, 1L << 32),
                FieldType.UInt64 => ((ulong)random.NextInt64() << 1) | (uint)random.Next(2),
                FieldType.Int64 => random.NextInt64(long.MinValue, long.MaxValue),
                // A 65-byte signature where the struct takes dynamic bytes (Evidence's votes), else bytes32 or an address.
                FieldType.Bytes => ByteString.CopyFrom(RandomBytes(random, LedgerTypedData.DynamicBytesFields.Contains(field.JsonName) ? 65 : LedgerTypedData.Bytes32Fields.Contains(field.JsonName) ? 32 : 20)),
                FieldType.Message => RandomInstance(field.MessageType, random, depth + 1),
                // uint8 on the EIP-712 side: any defined value of the enum (CommitVote.voteType).
                FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, field.EnumType.Values[random.Next(field.EnumType.Values.Count)].Number),
                _ => throw new NotSupportedException($"{descriptor.Name}.{field.Name}: {field.FieldType} is not an EIP-712 member type here"),
            };
            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                for (int n = random.Next(depth < 2 ? 4 : 1); n > 0; n--) list.Add(Value());
            }
            else field.Accessor.SetValue(message, Value());
        }
        return message;
    }

    private static string RandomText(Random random)
    {
        string[] pieces = ["", "a", "MTR-", "é", "∑", "🔌", " ", "Feeder F2", "\"", "\\", "0x"];
        var text = new StringBuilder();
        for (int n = random.Next(6); n > 0; n--) text.Append(pieces[random.Next(pieces.Length)]);
        return text.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A valid private key; every fourth has a leading zero byte.</summary>
    private static byte[] RandomKey(Random random)
    {
        while (true)
        {
            var key = RandomBytes(random, 32);
            if (random.Next(4) == 0) key[0] = 0;
            if (new System.Numerics.BigInteger(key, isUnsigned: true, isBigEndian: true) is var d && !d.IsZero && d < Signature.N) return key;
        }
    }
}
