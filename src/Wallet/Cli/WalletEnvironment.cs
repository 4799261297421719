using P2PEnergy.Contracts.Crypto;
using Spectre.Console;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// Everything a command takes from the outside world: environment variables, output writers, the clock,
/// the interactive prompt and the keystore KDF. Tests build one with a temp P2PE_HOME instead of touching the process.
/// </summary>
public sealed class WalletEnvironment
{
    /// <summary>Environment variable naming the wallet's home folder (default ~/.p2pe).</summary>
    public const string HomeVariable = "P2PE_HOME";
    /// <summary>Environment variable holding the keystore password for non-interactive use.</summary>
    public const string PasswordVariable = "P2PE_PASSWORD";

    public required Func<string, string?> GetVariable { get; init; }
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    /// <summary>The zone of times typed without an offset (this machine's; tests pin one).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;
    /// <summary>Columns tables may use: the terminal's width, or null when output is not a terminal (then tables take what they need).</summary>
    public int? Width { get; init; }
    /// <summary>Asks for a secret on the terminal; null when stdin is not a terminal (then a password source is required).</summary>
    public Func<string, string>? PromptSecret { get; init; }
    /// <summary>Asks a yes/no question on the terminal; null when stdin is not a terminal (then --yes is required).</summary>
    public Func<string, bool>? Confirm { get; init; }
    /// <summary>The KDF for keystores this wallet writes: geth's standard scrypt; tests inject a cheap one.</summary>
    public KeystoreKdf Kdf { get; init; } = ScryptKdf.Standard;

    /// <summary>$P2PE_HOME, else ~/.p2pe.</summary>
    public string Home => GetVariable(HomeVariable) is { Length: > 0 } home
        ? home
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".p2pe");

    /// <summary>The real process: its environment, console and, when stdin is a terminal, a Spectre.Console prompt.</summary>
    public static WalletEnvironment FromProcess() => new()
    {
        GetVariable = Environment.GetEnvironmentVariable,
        Out = Console.Out,
        Error = Console.Error,
        Width = Console.IsOutputRedirected ? null : Math.Max(40, Console.WindowWidth),
        PromptSecret = Console.IsInputRedirected
            ? null
            // The prompt goes to stderr so that stdout stays clean for --json consumers.
            : label => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
                .Prompt(new TextPrompt<string>(label).Secret().AllowEmpty()),
        Confirm = Console.IsInputRedirected
            ? null
            : question => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
                .Prompt(new ConfirmationPrompt(question) { DefaultValue = false }),
    };
}
