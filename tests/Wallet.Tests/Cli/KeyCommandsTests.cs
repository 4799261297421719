using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Cli;

public sealed class KeyCommandsTests : IDisposable
{
    // go-ethereum accounts/keystore/testdata/v3_test_vector.json (password "testpassword").
    private const string GethAddress = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b";
    private const string GethPrivateKey = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

    private readonly WalletHarness _wallet = new();

    public void Dispose() => _wallet.Dispose();

    private string PasswordFile(string password = "testpassword") => _wallet.WriteFile("password.txt", password + "\n");

    [Fact]
    public void ImportGethScryptVector_ThenAddressAndList()
    {
        var keystore = _wallet.WriteFile("geth.json", WalletHarness.Vector("geth-v3-scrypt.json"));
        var (exit, output, _) = _wallet.Run("key", "import", "--keystore", keystore, "--name", "geth", "--password-file", PasswordFile());
        Assert.Equal(0, exit);
        Assert.Contains(GethAddress, output);

        Assert.Equal((0, GethAddress, ""), _wallet.Run("key", "address", "geth"));
        Assert.Equal($"geth  {GethAddress}", _wallet.Run("key", "list").Out);

        // Stored byte for byte, under geth's file name.
        var stored = Directory.GetFiles(_wallet.KeystoreDirectory, "UTC--*");
        Assert.Single(stored);
        Assert.EndsWith("--008aeeda4d805471df9b2a5b0f38a0c3bcba786b", stored[0]);
        Assert.Equal(WalletHarness.Vector("geth-v3-scrypt.json"), File.ReadAllText(stored[0]));
    }

    [Fact]
    public void New_WithPasswordVariable_CreatesADecryptableKeystore_AndPrintsJson()
    {
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "s3cret";
        var (exit, output, _) = _wallet.Run("key", "new", "--name", "alice", "--json");
        Assert.Equal(0, exit);
        var result = JsonNode.Parse(output)!;
        Assert.Equal("alice", (string)result["name"]!);
        var address = Address.Parse((string)result["address"]!);
        Assert.Equal(address.ToString(), (string)result["address"]!); // EIP-55 form

        var key = Keystore.Decrypt(File.ReadAllText((string)result["file"]!), "s3cret", address);
        Assert.Equal(32, key.Length);
    }

    [Fact]
    public void New_WithoutName_UsesAddressPrefix()
    {
        var (exit, output, _) = _wallet.Run("key", "new", "--password-file", PasswordFile(), "--json");
        Assert.Equal(0, exit);
        var result = JsonNode.Parse(output)!;
        Assert.Equal("key-" + ((string)result["address"]!)[2..10].ToLowerInvariant(), (string)result["name"]!);
    }

    [Fact]
    public void New_PromptsTwice_WhenInteractive()
    {
        _wallet.PromptAnswers = new(["pw", "pw"]);
        Assert.Equal(0, _wallet.Run("key", "new", "--name", "a").Exit);
        _wallet.PromptAnswers = new(["pw", "typo"]);
        var (exit, _, error) = _wallet.Run("key", "new", "--name", "b");
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains("PASSWORD_MISMATCH", error);
    }

    [Fact]
    public void NoPasswordSource_AndNoTerminal_FailsClearly()
    {
        var (exit, output, error) = _wallet.Run("key", "new", "--name", "a");
        Assert.Equal((int)ExitCode.NoPassword, exit);
        Assert.Equal("", output);
        Assert.StartsWith("p2pe: NO_PASSWORD: ", error);
        Assert.False(Directory.Exists(_wallet.KeystoreDirectory) && Directory.EnumerateFiles(_wallet.KeystoreDirectory).Any());
    }

    [Fact]
    public void ImportPrivateKey_GivesGethVectorAddress()
    {
        var keyFile = _wallet.WriteFile("key.hex", "0x" + GethPrivateKey + "\n");
        var (exit, output, _) = _wallet.Run("key", "import", "--private-key-file", keyFile, "--password-file", PasswordFile("pw"), "--json");
        Assert.Equal(0, exit);
        var result = JsonNode.Parse(output)!;
        Assert.Equal(GethAddress, (string)result["address"]!);
        Assert.Equal("key-008aeeda", (string)result["name"]!);
        Assert.Equal(GethPrivateKey, Convert.ToHexStringLower(Keystore.Decrypt(File.ReadAllText((string)result["file"]!), "pw")));
    }

    [Theory]
    [InlineData("not hex")]
    [InlineData("00")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public void ImportPrivateKey_Invalid_DoesNotEchoTheFile(string content)
    {
        var keyFile = _wallet.WriteFile("key.hex", content);
        var (exit, _, error) = _wallet.Run("key", "import", "--private-key-file", keyFile, "--password-file", PasswordFile());
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains("INVALID_PRIVATE_KEY", error);
        Assert.DoesNotContain(content, error.Replace(keyFile, ""));
    }

    [Fact]
    public void ImportKeystore_WrongPassword()
    {
        var keystore = _wallet.WriteFile("geth.json", WalletHarness.Vector("geth-v3-pbkdf2.json"));
        var (exit, _, error) = _wallet.Run("key", "import", "--keystore", keystore, "--password-file", PasswordFile("nope"));
        Assert.Equal((int)ExitCode.WrongPassword, exit);
        Assert.Equal("p2pe: WRONG_PASSWORD: keystore: wrong password (MAC mismatch)", error);
        Assert.False(Directory.Exists(_wallet.KeystoreDirectory));
    }

    [Fact]
    public void ImportKeystore_Malformed_And_UnsupportedKdf()
    {
        var garbage = _wallet.WriteFile("garbage.json", "{\"version\":3}");
        var (exit, _, error) = _wallet.Run("key", "import", "--keystore", garbage, "--password-file", PasswordFile());
        Assert.Equal((int)ExitCode.BadKeystore, exit);
        Assert.Contains("MALFORMED_KEYSTORE", error);

        var argon = _wallet.WriteFile("argon.json", WalletHarness.Vector("geth-v3-pbkdf2.json").Replace("\"pbkdf2\"", "\"argon2id\""));
        (exit, _, error) = _wallet.Run("key", "import", "--keystore", argon, "--password-file", PasswordFile(), "--json");
        Assert.Equal((int)ExitCode.BadKeystore, exit);
        Assert.Equal("UNSUPPORTED_KDF", (string)JsonNode.Parse(error)!["error"]!["code"]!);
    }

    [Fact]
    public void ExistingName_And_ExistingAddress_AreRefused()
    {
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "pw";
        var keyFile = _wallet.WriteFile("key.hex", GethPrivateKey);
        Assert.Equal(0, _wallet.Run("key", "import", "--private-key-file", keyFile, "--name", "alice").Exit);

        var (exit, _, error) = _wallet.Run("key", "new", "--name", "alice");
        Assert.Equal((int)ExitCode.KeyExists, exit);
        Assert.Contains("a key named 'alice' already exists", error);

        (exit, _, error) = _wallet.Run("key", "import", "--private-key-file", keyFile, "--name", "bob");
        Assert.Equal((int)ExitCode.KeyExists, exit);
        Assert.Contains("already exists as 'alice'", error);
        Assert.Single(Directory.GetFiles(_wallet.KeystoreDirectory, "UTC--*"));
    }

    [Fact]
    public void UnknownKey_InvalidName_AndUsage()
    {
        Assert.Equal((int)ExitCode.UnknownKey, _wallet.Run("key", "address", "ghost").Exit);
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "pw";
        Assert.Equal((int)ExitCode.BadInput, _wallet.Run("key", "new", "--name", "../evil").Exit);
        Assert.Equal((int)ExitCode.Usage, _wallet.Run("key", "import").Exit);
        Assert.Equal((int)ExitCode.Usage, _wallet.Run("key", "frobnicate").Exit);
    }

    [Fact]
    public void List_Empty_And_Json()
    {
        Assert.StartsWith("no keys in ", _wallet.Run("key", "list").Out);
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "pw";
        _wallet.Run("key", "new", "--name", "b");
        _wallet.Run("key", "new", "--name", "a");
        var keys = JsonNode.Parse(_wallet.Run("key", "list", "--json").Out)!["keys"]!.AsArray();
        Assert.Equal(["a", "b"], keys.Select(k => (string)k!["name"]!));
    }

    [Fact]
    public void CorruptIndex_IsAStorageError()
    {
        Directory.CreateDirectory(_wallet.KeystoreDirectory);
        File.WriteAllText(Path.Combine(_wallet.KeystoreDirectory, "names.json"), "{ nope");
        var (exit, _, error) = _wallet.Run("key", "list");
        Assert.Equal((int)ExitCode.Storage, exit);
        Assert.Contains("CORRUPT_INDEX", error);
    }
}
