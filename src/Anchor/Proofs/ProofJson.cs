using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Anchor.Proofs;

/// <summary>A proof file that does not parse; the message names the JSON path and what is wrong.</summary>
public sealed class ProofFormatException(string message) : Exception(message);

/// <summary>
/// The self-contained JSON form of a <see cref="ContractProof"/> (format <c>p2pe-contract-proof/1</c>, docs/anchoring.md):
/// hex for bytes, decimal strings for 64-bit numbers. Informational fields (each transaction's decoded payload, each
/// header's block hash, each set's hash) are written for a human reader and checked against the data they describe
/// by <see cref="ProofVerifier"/>, so editing them alone is caught.
/// </summary>
public static class ProofJson
{
    public const string Format = "p2pe-contract-proof/1";

    public static string Write(ContractProof proof) => ToJson(proof).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static JsonObject ToJson(ContractProof proof)
    {
        var transactions = new JsonArray();
        foreach (var t in proof.Transactions)
        {
            var entry = new JsonObject
            {
                ["height"] = Number(t.Height), ["index"] = t.Index, ["leafCount"] = t.LeafCount,
                ["transactionId"] = TransactionId.Of(t.Transaction.Span).ToString(),
                ["transaction"] = Hex.Encode(t.Transaction.Span),
                ["auditPath"] = new JsonArray([.. t.AuditPath.Select(p => (JsonNode)Hex.Encode(p.Span))]),
            };
            if (ProofTransaction.TryBody(t.Transaction, out var body))
            {
                entry["kind"] = body!.Descriptor.Name;
                entry["payload"] = LedgerTypedData.ToJson(body);
            }
            transactions.Add(entry);
        }
        return new JsonObject
        {
            ["format"] = Format,
            ["chainId"] = Number(proof.ChainId),
            ["contractId"] = Hex.Encode(proof.ContractId.Span),
            ["anchoredHeight"] = Number(proof.AnchoredHeight),
            ["anchorContract"] = proof.AnchorContract,
            ["transactions"] = transactions,
            ["headers"] = new JsonArray([.. proof.Headers.Select(b => (JsonNode)Header(b))]),
            ["validatorSets"] = new JsonArray([.. proof.ValidatorSets.Select(s => (JsonNode)new JsonObject
            {
                ["hash"] = ValidatorSetHashing.Of(ProofVerifier.Members(s)).ToString(),
                ["validators"] = new JsonArray([.. s.Validators.Select(v => (JsonNode)new JsonObject
                {
                    ["address"] = Address.FromBytes(v.Address.Span).ToString(), ["power"] = v.Power.ToString(CultureInfo.InvariantCulture),
                })]),
            })]),
        };
    }

    private static JsonObject Header(Block block)
    {
        var h = block.Header;
        return new JsonObject
        {
            ["chainId"] = Number(h.ChainId), ["height"] = Number(h.Height), ["timeMs"] = h.TimeMs.ToString(CultureInfo.InvariantCulture),
            ["previousHash"] = Hex.Encode(h.PreviousHash.Span), ["transactionsRoot"] = Hex.Encode(h.TransactionsRoot.Span),
            ["appHash"] = Hex.Encode(h.AppHash.Span), ["proposer"] = Hex.Encode(h.Proposer.Span),
            ["validatorSetHash"] = Hex.Encode(h.ValidatorSetHash.Span), ["nextValidatorSetHash"] = Hex.Encode(h.NextValidatorSetHash.Span),
            ["blockHash"] = BlockHeaderHashing.Hash(h).ToString(),
            ["commit"] = new JsonObject
            {
                ["height"] = Number(block.Commit.Height), ["round"] = block.Commit.Round, ["blockHash"] = Hex.Encode(block.Commit.BlockHash.Span),
                ["signatures"] = new JsonArray([.. block.Commit.Signatures.Select(s => (JsonNode)new JsonObject
                {
                    ["validator"] = Hex.Encode(s.Validator.Span), ["signature"] = Hex.Encode(s.Signature.Span),
                })]),
            },
        };
    }

    /// <summary>Reads a proof file; throws <see cref="ProofFormatException"/> naming the first unreadable field.</summary>
    public static ContractProof Read(string json)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new ProofFormatException("the proof is not a JSON object"); }
        catch (JsonException e) { throw new ProofFormatException($"the proof is not JSON: {e.Message}"); }
        var reader = new Reader(root, "");
        if (reader.String("format") != Format) throw new ProofFormatException($"format must be \"{Format}\", got \"{reader.String("format")}\"");
        var proof = new ContractProof
        {
            ChainId = reader.Number("chainId"), ContractId = reader.Bytes("contractId", 32),
            AnchoredHeight = reader.Number("anchoredHeight"), AnchorContract = reader.OptionalString("anchorContract"),
        };
        foreach (var t in reader.Array("transactions"))
        {
            var inclusion = new TransactionInclusion
            {
                Height = t.Number("height"), Index = t.Small("index"), LeafCount = t.Small("leafCount"), Transaction = t.Bytes("transaction", null),
            };
            inclusion.AuditPath.AddRange(t.BytesArray("auditPath", 32));
            // The readable fields must describe these bytes: an edited "payload" is a tampered proof, not a comment.
            var body = ProofTransaction.TryBody(inclusion.Transaction, out var parsed) ? parsed : null;
            if (t.Node("payload") is JsonObject payload && (body is null || !JsonNode.DeepEquals(payload, LedgerTypedData.ToJson(body))))
                throw new ProofFormatException($"{t.Path}payload does not match the transaction bytes (edited?)");
            if (t.Node("transactionId") is JsonValue id && id.ToString() != TransactionId.Of(inclusion.Transaction.Span).ToString())
                throw new ProofFormatException($"{t.Path}transactionId does not match the transaction bytes (edited?)");
            proof.Transactions.Add(inclusion);
        }
        foreach (var h in reader.Array("headers"))
        {
            var header = new BlockHeader
            {
                ChainId = h.Number("chainId"), Height = h.Number("height"), TimeMs = h.Signed("timeMs"),
                PreviousHash = h.Bytes("previousHash", 32), TransactionsRoot = h.Bytes("transactionsRoot", 32), AppHash = h.Bytes("appHash", 32),
                Proposer = h.Bytes("proposer", 20), ValidatorSetHash = h.Bytes("validatorSetHash", 32), NextValidatorSetHash = h.Bytes("nextValidatorSetHash", 32),
            };
            var c = h.Object("commit");
            var commit = new BlockCommit { Height = c.Number("height"), Round = c.Small("round"), BlockHash = c.Bytes("blockHash", 32) };
            foreach (var s in c.Array("signatures"))
                commit.Signatures.Add(new CommitSignature { Validator = s.Bytes("validator", 20), Signature = s.Bytes("signature", 65) });
            if (h.Node("blockHash") is JsonValue hash && hash.ToString() != BlockHeaderHashing.Hash(header).ToString())
                throw new ProofFormatException($"{h.Path}blockHash is not the hash of the header's fields (edited?)");
            proof.Headers.Add(new Block { Header = header, Commit = commit });
        }
        foreach (var s in reader.Array("validatorSets"))
        {
            var set = new ValidatorSetMembers();
            foreach (var v in s.Array("validators")) set.Validators.Add(new ValidatorPower { Address = v.Bytes("address", 20), Power = v.Signed("power") });
            if (s.Node("hash") is JsonValue hash && hash.ToString() != ValidatorSetHashing.Of(ProofVerifier.Members(set)).ToString())
                throw new ProofFormatException($"{s.Path}hash is not the hash of the listed validators (edited?)");
            proof.ValidatorSets.Add(set);
        }
        return proof;
    }

    private static JsonNode Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Typed access to one JSON object, naming the path in every error.</summary>
    private sealed class Reader(JsonObject json, string path)
    {
        public string Path { get; } = path;

        public JsonNode? Node(string name) => json[name];

        private JsonNode Required(string name) => json[name] ?? throw new ProofFormatException($"{Path}{name} is missing");

        public string String(string name) => Required(name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ProofFormatException($"{Path}{name} must be a string");

        public string OptionalString(string name) => json[name] is null ? "" : String(name);

        public ulong Number(string name)
            => ulong.TryParse(Text(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ProofFormatException($"{Path}{name} must be an unsigned decimal, got {Required(name).ToJsonString()}");

        public long Signed(string name)
            => long.TryParse(Text(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new ProofFormatException($"{Path}{name} must be a decimal integer, got {Required(name).ToJsonString()}");

        public uint Small(string name)
            => uint.TryParse(Text(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ProofFormatException($"{Path}{name} must be an unsigned 32-bit integer, got {Required(name).ToJsonString()}");

        // Numbers may be JSON numbers or decimal strings (64-bit values are written as strings).
        private string Text(string name) => Required(name) is JsonValue v
            ? v.TryGetValue<string>(out var s) ? s : v.ToJsonString()
            : throw new ProofFormatException($"{Path}{name} must be a number");

        public ByteString Bytes(string name, int? length)
        {
            var text = String(name);
            try { return ByteString.CopyFrom(length is { } l ? Hex.Decode(text, l) : Hex.Decode(text)); }
            catch (FormatException e) { throw new ProofFormatException($"{Path}{name}: {e.Message}"); }
        }

        public IEnumerable<ByteString> BytesArray(string name, int length)
        {
            if (Required(name) is not JsonArray array) throw new ProofFormatException($"{Path}{name} must be an array");
            for (int i = 0; i < array.Count; i++)
            {
                var item = array[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ProofFormatException($"{Path}{name}[{i}] must be a hex string");
                byte[] bytes;
                try { bytes = Hex.Decode(item, length); }
                catch (FormatException e) { throw new ProofFormatException($"{Path}{name}[{i}]: {e.Message}"); }
                yield return ByteString.CopyFrom(bytes);
            }
        }

        public Reader Object(string name) => Required(name) is JsonObject o ? new Reader(o, $"{Path}{name}.") : throw new ProofFormatException($"{Path}{name} must be an object");

        public IEnumerable<Reader> Array(string name)
        {
            if (Required(name) is not JsonArray array) throw new ProofFormatException($"{Path}{name} must be an array");
            for (int i = 0; i < array.Count; i++)
                yield return array[i] is JsonObject o ? new Reader(o, $"{Path}{name}[{i}].") : throw new ProofFormatException($"{Path}{name}[{i}] must be an object");
        }
    }
}
