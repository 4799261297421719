using System.CommandLine;
using System.Security.Cryptography;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// The <c>--key NAME</c> and <c>--password-file F</c> pair that commands which sign share, and the unlock of the
/// named keystore into a <see cref="PrivateKey"/> for the one signature the command makes.
/// </summary>
internal sealed class SigningKey
{
    public Option<string> Key { get; }
    public Option<FileInfo> PasswordFile { get; } = new("--password-file")
    {
        Description = $"File whose first line is the keystore password (else ${WalletEnvironment.PasswordVariable}, else a prompt)",
    };

    public SigningKey(string description, bool required = true)
    {
        Key = new Option<string>("--key") { Description = description, Required = required };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Key);
        command.Options.Add(PasswordFile);
    }

    /// <summary>The address of the key named by the parsed command's --key (the signer, for bodies that name it).</summary>
    public static Address SignerOf(CliContext context, ParseResult parse)
        => AddressOf(context, parse.GetValue(parse.CommandResult.Command.Options.OfType<Option<string>>().Single(o => o.Name == "--key"))!);

    /// <summary>The named key's address, without unlocking it.</summary>
    public static Address AddressOf(CliContext context, string name) => Ring(context).Get(name).Address;

    /// <summary>Decrypts the named key (UNKNOWN_KEY, WRONG_PASSWORD, NO_PASSWORD on failure).</summary>
    public PrivateKey Unlock(CliContext context, ParseResult parse)
    {
        var ring = Ring(context);
        var entry = ring.Get(parse.GetValue(Key)!);
        string json;
        try { json = File.ReadAllText(ring.PathOf(entry)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot read keystore of '{entry.Name}': {e.Message}"); }
        var password = PasswordSource.ForUnlock(context.Env, parse.GetValue(PasswordFile)?.FullName);
        var bytes = Keystore.Decrypt(json, password, entry.Address);
        try { return new PrivateKey(bytes); }
        finally { CryptographicOperations.ZeroMemory(bytes); }
    }

    private static KeyRing Ring(CliContext context) => new(Path.Combine(context.Env.Home, "keystore"), context.Env.Clock);
}
