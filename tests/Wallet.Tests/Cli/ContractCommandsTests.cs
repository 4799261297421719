using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Wallet.Cli;

namespace P2PEnergy.Wallet.Tests.Cli;

/// <summary>Contract files without a node (--chain-id): propose, sign, attach, export, and every bad input as one line.</summary>
public sealed class ContractCommandsTests : IDisposable
{
    private readonly WalletHarness _wallet = new();
    private readonly PrivateKey _seller = PrivateKey.Generate();
    private readonly PrivateKey _buyer = PrivateKey.Generate();

    public ContractCommandsTests()
    {
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "pw";
        Import("seller", _seller);
        Import("buyer", _buyer);
    }

    public void Dispose() => _wallet.Dispose();

    private void Import(string name, PrivateKey key)
    {
        var file = _wallet.WriteFile(name + ".hex", Hex.Encode(key.Bytes));
        Assert.Equal(0, _wallet.Run("key", "import", "--private-key-file", file, "--name", name).Exit);
    }

    private string Propose(string validFor = "1h")
    {
        var path = Path.Combine(_wallet.Home, $"c-{Guid.NewGuid():N}.json");
        var (exit, _, error) = _wallet.Run("contract", "propose", "--seller", "seller", "--buyer", _buyer.Address.ToString(),
            "--seller-meter", "MTR-S", "--buyer-meter", "MTR-B", "--start", "2030-01-01T10:00:00Z", "--intervals", "4",
            "--kwh", "1.5", "--price-per-kwh", "0.12", "--valid-for", validFor, "--offline", "--chain-id", "31337", "--out", path);
        Assert.True(exit == 0, error);
        return path;
    }

    [Fact]
    public void Propose_WritesTypedData_ThatExportPrintsExactly()
    {
        var path = Propose();
        var file = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("p2pe-contract/1", (string)file["format"]!);
        var (exit, output, _) = _wallet.Run("contract", "export", path, "--typed-data");
        Assert.Equal(0, exit);
        var document = TypedDataDocument.Parse(output);
        var terms = LedgerTypedData.FromDocument(document, EnergyContract.Parser, 31337);
        Assert.Equal(1500UL, terms.WhPerInterval);
        Assert.Equal((string)file["id"]!, Hex.Encode(document.Digest.Bytes));
        Assert.Equal(_seller.Address, Address.FromBytes(terms.Seller.Span));
    }

    [Fact]
    public void Sign_BothParties_WithYes_CollectsTwoVerifiedSignatures()
    {
        var path = Propose();
        Assert.Equal(0, _wallet.Run("contract", "sign", path, "--key", "seller", "--yes").Exit);
        var (exit, output, _) = _wallet.Run("contract", "sign", path, "--key", "buyer", "--yes", "--json");
        Assert.Equal(0, exit);
        Assert.Equal(2, JsonNode.Parse(output)!["signedBy"]!.AsArray().Count);
    }

    [Fact]
    public void Sign_ShowsSummary_AndAsks_DecliningLeavesFileUntouched()
    {
        var path = Propose();
        var before = File.ReadAllText(path);
        var confirmations = new Queue<bool>([false]);
        var (exit, _, error) = _wallet.RunWithTerminal(confirmations, "contract", "sign", path, "--key", "seller");
        Assert.Equal(12, exit);
        Assert.Contains("fees    computed by the node at commit", error);
        Assert.Contains("1.500 kWh per interval, 6.000 kWh in all", error);
        Assert.Contains("0.120000 EUR per kWh", error);
        Assert.EndsWith("p2pe: NOT_CONFIRMED: not signed: declined", error);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void Sign_Twice_WithTheSameKey_IsAlreadySigned_AndFileUntouched()
    {
        var path = Propose();
        Assert.Equal(0, _wallet.Run("contract", "sign", path, "--key", "seller", "--yes").Exit);
        var before = File.ReadAllText(path);
        var (exit, _, error) = _wallet.Run("contract", "sign", path, "--key", "seller", "--yes");
        Assert.Equal(16, exit);
        Assert.StartsWith("p2pe: ALREADY_SIGNED: ", error);
        Assert.Contains($"already carries the signature of key 'seller' ({_seller.Address}, for seller)", error);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("--price-per-kwh", "-5", "--price-per-kwh '-5' must not be negative")]
    [InlineData("--price-per-kwh", "0.1234567", "--price-per-kwh '0.1234567' has more than 6 decimals (the smallest step is 0.000001)")]
    [InlineData("--price-per-kwh", "ten", "--price-per-kwh 'ten' is not a number (write it like 12 or 0.25)")]
    [InlineData("--kwh", "1.2345", "--kwh '1.2345' has more than 3 decimals")]
    [InlineData("--kwh", "-1", "--kwh '-1' must be more than 0 kWh")]
    public void Propose_BadAmount_SaysWhatIsWrong(string option, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--kwh"] = "1", ["--price-per-kwh"] = "0.10" };
        args[option] = value;
        var (exit, _, error) = _wallet.Run("contract", "propose", "--seller", "seller", "--buyer", "buyer", "--seller-meter", "S", "--buyer-meter", "B",
            "--start", "2030-01-01T10:00:00Z", "--intervals", "1", "--kwh", args["--kwh"], "--price-per-kwh", args["--price-per-kwh"],
            "--offline", "--chain-id", "31337", "--out", Path.Combine(_wallet.Home, "x.json"));
        Assert.Equal(8, exit);
        Assert.StartsWith("p2pe: INVALID_ARGUMENT: " + message, error);
        Assert.False(File.Exists(Path.Combine(_wallet.Home, "x.json")));
    }

    [Fact]
    public void Propose_Offline_WithoutChainId_IsUsage()
    {
        var (exit, _, error) = _wallet.Run("contract", "propose", "--seller", "seller", "--buyer", "buyer", "--seller-meter", "S", "--buyer-meter", "B",
            "--start", "2030-01-01T10:00:00Z", "--intervals", "1", "--kwh", "1", "--price-per-kwh", "0.1", "--offline", "--out", Path.Combine(_wallet.Home, "x.json"));
        Assert.Equal(2, exit);
        Assert.Contains("--offline needs --chain-id", error);
    }

    [Fact]
    public void Sign_WithoutTerminalOrYes_Refuses()
    {
        var path = Propose();
        var before = File.ReadAllText(path);
        var (exit, _, error) = _wallet.Run("contract", "sign", path, "--key", "seller");
        Assert.Equal(12, exit);
        Assert.EndsWith("p2pe: NOT_CONFIRMED: refusing to sign without confirmation: stdin is not a terminal; pass --yes after reading the terms", error);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void Sign_UnknownKeyName_IsUnknownKey()
    {
        var path = Propose();
        var before = File.ReadAllText(path);
        var (exit, _, error) = _wallet.Run("contract", "sign", path, "--key", "mallory", "--yes");
        Assert.Equal(5, exit);
        Assert.StartsWith("p2pe: UNKNOWN_KEY: ", error);
        Assert.Single(error.Split('\n'));
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void Sign_WrongPassword_IsWrongPassword_AndFileUntouched()
    {
        var path = Propose();
        var before = File.ReadAllText(path);
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "not-it";
        var (exit, _, error) = _wallet.Run("contract", "sign", path, "--key", "seller", "--yes");
        Assert.Equal(4, exit);
        Assert.StartsWith("p2pe: WRONG_PASSWORD: ", error.Split('\n')[^1]);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void Sign_ExpiredContract_IsExpired()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        _wallet.Clock = clock;
        var path = Propose(validFor: "0s");
        clock.Advance(TimeSpan.FromSeconds(1)); // one second past validUntil, without waiting for it
        var before = File.ReadAllText(path);
        var (exit, _, error) = _wallet.Run("contract", "sign", path, "--key", "seller", "--yes");
        Assert.NotEqual(0, exit);
        Assert.StartsWith("p2pe: EXPIRED: ", error);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"format\":\"p2pe-contract/1\"}")]
    [InlineData("{\"format\":\"other\"}")]
    public void MalformedContractFile_IsOneLine_AndFileUntouched(string content)
    {
        var path = _wallet.WriteFile("bad.json", content);
        foreach (var args in new[] { new[] { "contract", "sign", path, "--key", "seller", "--yes" }, ["contract", "export", path, "--typed-data"], ["contract", "submit", path] })
        {
            var (exit, _, error) = _wallet.Run(args);
            Assert.Equal(8, exit);
            Assert.StartsWith("p2pe: MALFORMED_CONTRACT_FILE: ", error);
            Assert.Single(error.Split('\n'));
            Assert.Equal(content, File.ReadAllText(path));
        }
    }

    [Fact]
    public void TamperedTerms_AfterSigning_IsMalformed()
    {
        var path = Propose();
        _wallet.Run("contract", "sign", path, "--key", "seller", "--yes");
        File.WriteAllText(path, File.ReadAllText(path).Replace("120000", "120001"));
        var (exit, _, error) = _wallet.Run("contract", "export", path, "--typed-data");
        Assert.Equal(8, exit);
        Assert.StartsWith("p2pe: MALFORMED_CONTRACT_FILE: ", error);
    }

    [Fact]
    public void AttachSignature_ByAParty_IsAdded_ByAStranger_IsRefused()
    {
        var path = Propose();
        var digest = LedgerTypedData.FromDocument(TypedDataDocument.Parse(_wallet.Run("contract", "export", path, "--typed-data").Out), EnergyContract.Parser, 31337);
        var hash = LedgerTypedData.Digest(digest, 31337);
        var stranger = PrivateKey.Generate().Sign(hash).ToString();
        var before = File.ReadAllText(path);
        var (exit, _, error) = _wallet.Run("contract", "attach-signature", path, stranger);
        Assert.Equal(8, exit);
        Assert.StartsWith("p2pe: NOT_A_PARTY: ", error);
        Assert.Equal(before, File.ReadAllText(path));

        Assert.Equal(0, _wallet.Run("contract", "attach-signature", path, _buyer.Sign(hash).ToString()).Exit);
        Assert.Contains(_buyer.Address.ToString(), File.ReadAllText(path));
    }

    [Fact]
    public void Submit_WithOneSignature_IsMissingSignature()
    {
        var path = Propose();
        _wallet.Run("contract", "sign", path, "--key", "seller", "--yes");
        var (exit, _, error) = _wallet.Run("contract", "submit", path, "--node", NodeProfileTests.DeadNodeUrl());
        Assert.Equal(8, exit);
        Assert.StartsWith("p2pe: MISSING_SIGNATURE: ", error);
    }

    [Fact]
    public void Submit_NodeDown_IsNodeUnreachable_AndFileUntouched()
    {
        var path = Propose();
        _wallet.Run("contract", "sign", path, "--key", "seller", "--yes");
        _wallet.Run("contract", "sign", path, "--key", "buyer", "--yes");
        var before = File.ReadAllText(path);
        var url = NodeProfileTests.DeadNodeUrl();
        var (exit, _, error) = _wallet.Run("contract", "submit", path, "--node", url);
        Assert.Equal(10, exit);
        Assert.StartsWith("p2pe: NODE_UNREACHABLE: ", error);
        Assert.Contains(url, error);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void Propose_WithoutChainId_AndNodeDown_WritesNothing()
    {
        var path = Path.Combine(_wallet.Home, "none.json");
        var (exit, _, error) = _wallet.Run("contract", "propose", "--seller", "seller", "--buyer", "buyer", "--seller-meter", "A", "--buyer-meter", "B",
            "--start", "2030-01-01T10:00:00Z", "--intervals", "1", "--kwh", "1", "--price-per-kwh", "1", "--out", path, "--node", NodeProfileTests.DeadNodeUrl());
        Assert.Equal(10, exit);
        Assert.StartsWith("p2pe: NODE_UNREACHABLE: ", error);
        Assert.False(File.Exists(path));
    }
}
