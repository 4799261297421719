using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Tests.Crypto;
using P2PEnergy.Contracts.Tests.TypedData;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.Interop;

/// <summary>
/// Every project EIP-712 struct against ethers v6 (tests/interop/eip712-ethers.js): ethers hashes our
/// eth_signTypedData_v4 documents to our digests, its signatures recover to its wallet in C#, and our signatures
/// (both backends) verify in ethers to our address.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EthersInteropTests(EthersInteropTests.Session session) : IClassFixture<EthersInteropTests.Session>
{
    private const string Script = "eip712-ethers.js";
    private const ulong ChainId = 31337;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    // go-ethereum's key → address vector (shared/reference/vectors.md), so both sides are also pinned to a known answer.
    private const string KeyHex = "289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032";
    private static readonly Address KeyAddress = Address.Parse("0x970e8128ab834e8eac17ab8e3812f010678cf791");

    [InteropFact]
    public void EthersDigest_EqualsLedgerTypedDataDigest_ForEveryStruct()
    {
        Assert.Equal(session.Messages.Keys.Order(), session.EthersSigned.Keys.Order());
        Assert.All(session.Messages, m =>
            Assert.Equal(LedgerTypedData.Digest(m.Value, ChainId), session.EthersSigned[m.Key].Digest));
    }

    [InteropFact]
    public void EthersSignature_RecoversToEthersWallet_WithManagedBackend() => AssertEthersSignaturesRecover(new ManagedSecp256k1());

    [InteropFact(needsNativeSecp256k1: true)]
    public void EthersSignature_RecoversToEthersWallet_WithNativeBackend() => AssertEthersSignaturesRecover(Backends.Native!);

    [InteropFact]
    public void CSharpSignature_VerifiesInEthers_WithManagedBackend() => AssertCSharpSignaturesVerify(new ManagedSecp256k1());

    [InteropFact(needsNativeSecp256k1: true)]
    public void CSharpSignature_VerifiesInEthers_WithNativeBackend() => AssertCSharpSignaturesVerify(Backends.Native!);

    /// <summary>ethers' default keystore (scrypt N = 131072, r = 8, p = 1) decrypts in C# to the same key and address.</summary>
    [InteropFact]
    public void EthersKeystore_DecryptsToTheSameKey()
    {
        var file = Path.Combine(session.Directory, "ethers-keystore.json");
        var output = JsonNode.Parse(NodeScript.Run(Script, Timeout, "keystore", "0x" + KeyHex, "interop password", file))!;
        Assert.Equal(KeyAddress, Address.Parse((string)output["address"]!));

        var keystore = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.Equal(3, (int)keystore["version"]!);
        Assert.Equal(KeyAddress.ToLowerHex()[2..], (string)keystore["address"]!);
        var crypto = keystore["Crypto"] ?? keystore["crypto"]!;
        Assert.Equal("scrypt", (string)crypto["kdf"]!);
        Assert.Equal(131072, (int)crypto["kdfparams"]!["n"]!);
        Assert.Equal(8, (int)crypto["kdfparams"]!["r"]!);
        Assert.Equal(1, (int)crypto["kdfparams"]!["p"]!);
        Assert.Equal("aes-128-ctr", (string)crypto["cipher"]!);

        var decrypted = Keystore.Decrypt(File.ReadAllText(file), "interop password", expectedAddress: KeyAddress);
        Assert.Equal(KeyHex, Convert.ToHexStringLower(decrypted));
    }

    private void AssertEthersSignaturesRecover(ISecp256k1 backend)
    {
        var key = new PrivateKey(Hex.Decode(KeyHex, 32), backend);
        Assert.All(session.EthersSigned, s =>
        {
            Assert.Equal(KeyAddress, s.Value.Signer);
            Assert.Equal(s.Value.Signer, Signer.Recover(s.Value.Digest, s.Value.Signature, backend));
            // Both sides use RFC 6979 nonces and low s, so the signatures must agree to the byte, not just recover.
            Assert.Equal(s.Value.Signature, key.Sign(LedgerTypedData.Digest(session.Messages[s.Key], ChainId)));
        });
    }

    private void AssertCSharpSignaturesVerify(ISecp256k1 backend)
    {
        var key = new PrivateKey(Hex.Decode(KeyHex, 32), backend);
        var signatures = new JsonObject();
        foreach (var (name, message) in session.Messages)
            signatures[name] = key.Sign(LedgerTypedData.Digest(message, ChainId)).ToString();
        var file = Path.Combine(session.Directory, $"signatures-{backend.Name}.json");
        File.WriteAllText(file, signatures.ToJsonString());

        var recovered = JsonSerializer.Deserialize<Dictionary<string, string>>(NodeScript.Run(Script, Timeout, "verify", session.DocumentsFile, file))!;
        Assert.Equal(session.Messages.Keys.Order(), recovered.Keys.Order());
        Assert.All(recovered, r => Assert.Equal(key.Address, Address.Parse(r.Value)));
    }

    /// <summary>One signed struct as ethers reported it.</summary>
    public sealed record EthersSignature(Hash32 Digest, Signature Signature, Address Signer);

    /// <summary>
    /// Per-class state: one populated message per struct, their documents on disk, and ethers' signatures of them.
    /// Everything is lazy because xunit builds the fixture even when every fact is skipped.
    /// </summary>
    public sealed class Session : IDisposable
    {
        private readonly Lazy<string> _directory = new(() => System.IO.Directory.CreateTempSubdirectory("p2pe-interop-").FullName);
        private readonly Lazy<string> _documents;
        private readonly Lazy<IReadOnlyDictionary<string, EthersSignature>> _signed;

        public Session()
        {
            _documents = new(() =>
            {
                var documents = new JsonObject();
                foreach (var (name, message) in Messages)
                    documents[name] = JsonNode.Parse(LedgerTypedData.ToDocument(message, ChainId).ToJson());
                var file = Path.Combine(Directory, "documents.json");
                File.WriteAllText(file, documents.ToJsonString());
                return file;
            });
            _signed = new(() =>
            {
                var output = JsonDocument.Parse(NodeScript.Run(Script, Timeout, "sign", DocumentsFile, "0x" + KeyHex));
                return output.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => new EthersSignature(
                    Hash32.Parse(p.Value.GetProperty("digest").GetString()!),
                    Signature.Parse(p.Value.GetProperty("signature").GetString()!),
                    Address.Parse(p.Value.GetProperty("signer").GetString()!)));
            });
        }

        /// <summary>Every struct of <see cref="LedgerTypedData.SignedMessages"/>, each field set to a distinct non-default value.</summary>
        public IReadOnlyDictionary<string, IMessage> Messages { get; } =
            LedgerTypedData.SignedMessages.ToDictionary(d => d.Name, d => LedgerTypedDataTests.Populate(d));

        public string Directory => _directory.Value;
        public string DocumentsFile => _documents.Value;
        public IReadOnlyDictionary<string, EthersSignature> EthersSigned => _signed.Value;

        public void Dispose()
        {
            if (_directory.IsValueCreated) System.IO.Directory.Delete(_directory.Value, recursive: true);
        }
    }
}
