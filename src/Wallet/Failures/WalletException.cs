namespace P2PEnergy.Wallet.Failures;

/// <summary>A failure the CLI reports as one line with a stable reason code, and exits with <see cref="ExitCode"/>.</summary>
public sealed class WalletException(ExitCode exitCode, string reason, string message) : Exception(message)
{
    public ExitCode ExitCode { get; } = exitCode;
    /// <summary>Stable upper-case reason, e.g. <c>UNKNOWN_KEY</c>.</summary>
    public string Reason { get; } = reason;
}
