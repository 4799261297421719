using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary><c>p2pe key new | list | import | address</c>: the participant's signing keys, stored as geth v3 keystores.</summary>
internal static class KeyCommands
{
    public static Command Create(CliContext context)
    {
        var key = new Command("key", "Create, import and list signing keys (keystore v3 files under $P2PE_HOME/keystore)");
        key.Subcommands.Add(New(context));
        key.Subcommands.Add(List(context));
        key.Subcommands.Add(Import(context));
        key.Subcommands.Add(AddressOf(context));
        return key;
    }

    private static Option<string> NameOption() => new("--name") { Description = "Name of the key (default: key-<first 8 hex digits of the address>)" };

    private static Option<FileInfo> PasswordFileOption() => new("--password-file")
    {
        Description = $"File whose first line is the keystore password (else ${WalletEnvironment.PasswordVariable}, else a prompt)",
    };

    private static KeyRing Ring(CliContext context)
        => new(Path.Combine(context.Env.Home, "keystore"), context.Env.Clock);

    private static Command New(CliContext context)
    {
        var name = NameOption();
        var passwordFile = PasswordFileOption();
        var command = new Command("new", "Generate a new key and store it encrypted") { name, passwordFile };
        command.SetAction(parse => context.Run(parse, json =>
        {
            var ring = Ring(context);
            var privateKey = PrivateKey.Generate();
            var keyName = parse.GetValue(name) ?? KeyRing.DefaultName(privateKey.Address);
            ring.EnsureAvailable(keyName, privateKey.Address);
            var password = PasswordSource.ForNewKey(context.Env, parse.GetValue(passwordFile)?.FullName);
            var keystore = Keystore.Encrypt(privateKey.Bytes, password, context.Env.Kdf);
            var entry = ring.Add(keyName, privateKey.Address, keystore.ToJson());
            PrintEntry(context, json, ring, entry, "created");
        }));
        return command;
    }

    private static Command Import(CliContext context)
    {
        var keystoreFile = new Option<FileInfo>("--keystore") { Description = "A keystore v3 file (geth, ethers, MetaMask export); stored as it is" };
        var privateKeyFile = new Option<FileInfo>("--private-key-file") { Description = "A file holding a 32-byte private key in hex (0x optional)" };
        var name = NameOption();
        var passwordFile = PasswordFileOption();
        var command = new Command("import", "Import a keystore file or a raw private key") { keystoreFile, privateKeyFile, name, passwordFile };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(keystoreFile) is null) == (result.GetResult(privateKeyFile) is null))
                result.AddError("give exactly one of --keystore FILE or --private-key-file FILE");
        });
        command.SetAction(parse => context.Run(parse, json =>
        {
            var ring = Ring(context);
            var password = parse.GetValue(passwordFile)?.FullName;
            var entry = parse.GetValue(keystoreFile) is { } keystorePath
                ? ImportKeystore(context, ring, keystorePath.FullName, parse.GetValue(name), password)
                : ImportPrivateKey(context, ring, parse.GetValue(privateKeyFile)!.FullName, parse.GetValue(name), password);
            PrintEntry(context, json, ring, entry, "imported");
        }));
        return command;
    }

    private static KeyEntry ImportKeystore(CliContext context, KeyRing ring, string path, string? name, string? passwordFile)
    {
        var json = ReadInput(path, "keystore");
        var keystore = Keystore.Parse(json);
        if (name is not null) ring.EnsureAvailable(name, keystore.Address);
        // Decrypting proves the password and yields the real address (the file's "address" field is unauthenticated).
        var privateKey = keystore.Decrypt(PasswordSource.ForUnlock(context.Env, passwordFile));
        try
        {
            var address = new PrivateKey(privateKey).Address;
            return ring.Add(name ?? KeyRing.DefaultName(address), address, json);
        }
        finally { CryptographicOperations.ZeroMemory(privateKey); }
    }

    private static KeyEntry ImportPrivateKey(CliContext context, KeyRing ring, string path, string? name, string? passwordFile)
    {
        var text = ReadInput(path, "private key");
        PrivateKey privateKey;
        try { privateKey = new PrivateKey(Hex.Decode(text.Trim(), 32)); }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Never echo the file's content: it is (nearly) a secret.
            throw new WalletException(ExitCode.BadInput, "INVALID_PRIVATE_KEY", $"{path} does not hold a secp256k1 private key (64 hex digits in [1, n-1])");
        }
        var keyName = name ?? KeyRing.DefaultName(privateKey.Address);
        ring.EnsureAvailable(keyName, privateKey.Address);
        var password = PasswordSource.ForNewKey(context.Env, passwordFile);
        var keystore = Keystore.Encrypt(privateKey.Bytes, password, context.Env.Kdf);
        return ring.Add(keyName, privateKey.Address, keystore.ToJson());
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List the named keys and their addresses");
        command.SetAction(parse => context.Run(parse, json =>
        {
            var ring = Ring(context);
            var entries = ring.List();
            if (json)
            {
                context.Print(true, new JsonObject { ["keys"] = new JsonArray([.. entries.Select(e => (JsonNode)Describe(ring, e))]) }, "");
                return;
            }
            if (entries.Count == 0) context.Env.Out.WriteLine($"no keys in {ring.Directory}");
            int width = entries.Count == 0 ? 0 : entries.Max(e => e.Name.Length);
            foreach (var e in entries) context.Env.Out.WriteLine($"{e.Name.PadRight(width)}  {e.Address}");
        }));
        return command;
    }

    private static Command AddressOf(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The key's name" };
        var command = new Command("address", "Print the EIP-55 address of a named key") { name };
        command.SetAction(parse => context.Run(parse, json =>
        {
            var ring = Ring(context);
            var entry = ring.Get(parse.GetValue(name)!);
            context.Print(json, Describe(ring, entry), entry.Address.ToString());
        }));
        return command;
    }

    private static void PrintEntry(CliContext context, bool json, KeyRing ring, KeyEntry entry, string verb)
        => context.Print(json, Describe(ring, entry), $"{verb} key '{entry.Name}' {entry.Address} in {ring.PathOf(entry)}");

    private static JsonObject Describe(KeyRing ring, KeyEntry entry)
        => new() { ["name"] = entry.Name, ["address"] = entry.Address.ToString(), ["file"] = ring.PathOf(entry) };

    private static string ReadInput(string path, string what)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.BadInput, "UNREADABLE_INPUT", $"cannot read {what} file {path}: {e.Message}"); }
    }
}
