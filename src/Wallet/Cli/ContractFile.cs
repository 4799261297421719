using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// A proposed bilateral contract travelling between its parties: the eth_signTypedData_v4 document of the
/// <see cref="EnergyContract"/>, the market's currency (so every screen shows its amounts the same way) and the
/// signatures collected so far (format <c>p2pe-contract/1</c>, docs/wallet.md). A signature is the seller's, the buyer's,
/// or an aggregator's standing for the parties listed in its <c>for</c> (one signature for both when both delegated to
/// it). Every signature is checked against the terms when the file is read, so a tampered file fails loudly; whether
/// an aggregator really acts for a party is the node's to check (the wallet asks it before it signs).
/// </summary>
internal sealed class ContractFile
{
    public const string Format = "p2pe-contract/1";

    private readonly SortedDictionary<Address, (Signature Signature, Address[] For)> _signatures = new();

    public ContractFile(EnergyContract terms, ulong chainId, Currency? currency = null)
    {
        Terms = terms;
        ChainId = chainId;
        Currency = currency ?? Currency.Default;
        Digest = LedgerTypedData.Digest(terms, chainId);
    }

    public EnergyContract Terms { get; }
    public ulong ChainId { get; }
    /// <summary>The market's currency the proposal was made in (files without one: EUR at 6 decimals, the genesis default).</summary>
    public Currency Currency { get; }
    /// <summary>The contract id: the EIP-712 digest both parties sign.</summary>
    public Hash32 Digest { get; }
    /// <summary>The contract id in 0x-hex, as the node reports it (TransactionResult.payload_id).</summary>
    public string Id => Hex.Encode(Digest.Bytes);
    public Address Seller => Address.FromBytes(Terms.Seller.Span);
    public Address Buyer => Address.FromBytes(Terms.Buyer.Span);
    public IReadOnlyDictionary<Address, Signature> Signatures => _signatures.ToDictionary(s => s.Key, s => s.Value.Signature);

    /// <summary>The parties whose consent the file holds: their own signatures and those aggregators signed for.</summary>
    public IReadOnlySet<Address> Covered => _signatures.Values.SelectMany(s => s.For).ToHashSet();

    /// <summary>The parties whose consent is still missing, seller first.</summary>
    public IReadOnlyList<Address> Missing => new[] { Seller, Buyer }.Distinct().Where(p => !Covered.Contains(p)).ToList();

    /// <summary>What a signer stands for in this file: itself as a party, or the parties it signed for as their aggregator.</summary>
    public IReadOnlyList<Address> For(Address signer) => _signatures.TryGetValue(signer, out var s) ? s.For : [];

    /// <summary>
    /// Adds a signature after checking it recovers the seller or the buyer, or — with <paramref name="onBehalfOf"/> —
    /// an aggregator standing for those parties. Returns the signer.
    /// </summary>
    public Address Attach(Signature signature, IReadOnlyCollection<Address>? onBehalfOf = null)
    {
        Address signer;
        try { signer = Signer.Recover(Digest, signature); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        { throw new WalletException(ExitCode.BadInput, ReasonCodes.BadSignature, $"the signature does not recover a key: {e.Message}"); }
        Address[] covers;
        if (signer == Seller || signer == Buyer) covers = [signer];
        else if (onBehalfOf is { Count: > 0 } parties && parties.All(p => p == Seller || p == Buyer)) covers = [.. parties.Distinct().Order()];
        else
            throw new WalletException(ExitCode.BadInput, ReasonCodes.NotAParty,
                $"the signature is by {signer}, who is neither the seller {Seller} nor the buyer {Buyer} of contract {Id}, nor signs for either as their aggregator");
        _signatures[signer] = (signature, covers);
        return signer;
    }

    /// <summary>The signatures in the order the envelope carries them: the seller's, the buyer's, then aggregators'.</summary>
    public IEnumerable<Signature> OrderedSignatures()
        => new[] { Seller, Buyer }.Distinct().Where(_signatures.ContainsKey).Concat(_signatures.Keys.Where(a => a != Seller && a != Buyer))
            .Select(a => _signatures[a].Signature);

    /// <summary>The eth_signTypedData_v4 document exactly as a wallet signs it.</summary>
    public string TypedDataJson(bool indented = true) => LedgerTypedData.ToDocument(Terms, ChainId).ToJson(indented);

    public string ToJson()
    {
        var file = new JsonObject
        {
            ["format"] = Format,
            ["id"] = Id,
            ["currency"] = new JsonObject { ["code"] = Currency.Code, ["decimals"] = Currency.Decimals },
            ["typedData"] = JsonNode.Parse(TypedDataJson(indented: false)),
            ["signatures"] = new JsonArray([.. _signatures.Select(s =>
            {
                var entry = new JsonObject { ["signer"] = s.Key.ToString(), ["signature"] = s.Value.Signature.ToString() };
                if (s.Key != Seller && s.Key != Buyer) entry["for"] = new JsonArray([.. s.Value.For.Select(p => (JsonNode)p.ToString())]);
                return (JsonNode)entry;
            })]),
        };
        return file.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Writes the file atomically, so a failure leaves the previous version intact.</summary>
    public void Save(string path, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
            throw new WalletException(ExitCode.BadInput, "FILE_EXISTS", $"{path} already exists; choose another --out");
        AtomicFile.Write(path, ToJson(), overwrite);
    }

    /// <summary>Reads and checks a contract file: format, typed data on our domain, every signature by a party or for one.</summary>
    public static ContractFile Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.BadInput, "UNREADABLE_INPUT", $"cannot read contract file {path}: {e.Message}"); }
        try
        {
            var root = JsonNode.Parse(text) as JsonObject ?? throw Malformed(path, "not a JSON object");
            if ((string?)root["format"] != Format) throw Malformed(path, $"format is not \"{Format}\"");
            if (root["typedData"] is not JsonObject typedData) throw Malformed(path, "typedData is missing");
            var document = TypedDataDocument.Parse(typedData.ToJsonString());
            var chainId = ChainIdOf(document.Domain) ?? throw Malformed(path, "typedData.domain.chainId is missing");
            Currency? currency = root["currency"] is JsonObject c
                ? new Currency((string?)c["code"] ?? throw Malformed(path, "currency.code is missing"), (int?)c["decimals"] is int d and >= 0 and <= 18 ? d : throw Malformed(path, "currency.decimals must be 0..18"))
                : null;
            var file = new ContractFile(LedgerTypedData.FromDocument(document, EnergyContract.Parser, chainId), chainId, currency);
            foreach (var entry in root["signatures"] as JsonArray ?? [])
            {
                var signature = Signature.Parse((string?)entry?["signature"] ?? throw Malformed(path, "a signature entry has no \"signature\""));
                var onBehalfOf = (entry!["for"] as JsonArray)?.Select(p => Address.Parse((string?)p ?? "")).ToList();
                var signer = file.Attach(signature, onBehalfOf);
                if ((string?)entry["signer"] is { } claimed && Address.Parse(claimed) != signer)
                    throw Malformed(path, $"the signature listed for {claimed} is by {signer}");
            }
            return file;
        }
        catch (WalletException e) when (e.Reason is ReasonCodes.BadSignature or ReasonCodes.NotAParty) { throw Malformed(path, e.Message); }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        { throw Malformed(path, e.Message); }
    }

    private static ulong? ChainIdOf(JsonElement domain)
    {
        if (!domain.TryGetProperty("chainId", out var value)) return null;
        return value.ValueKind == JsonValueKind.String ? ulong.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetUInt64();
    }

    private static WalletException Malformed(string path, string problem)
        => new(ExitCode.BadInput, "MALFORMED_CONTRACT_FILE", $"{path}: {problem.ReplaceLineEndings(" ")}");
}
