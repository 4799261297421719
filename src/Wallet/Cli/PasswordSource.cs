using P2PEnergy.Wallet.Failures;
namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// Where a keystore password comes from, in order: --password-file, env P2PE_PASSWORD, an interactive prompt
/// when stdin is a terminal; otherwise the command fails with NO_PASSWORD rather than hang on a pipe.
/// </summary>
internal static class PasswordSource
{
    /// <summary>The password to unlock an existing keystore.</summary>
    public static string ForUnlock(WalletEnvironment env, string? passwordFile)
        => FromFileOrVariable(env, passwordFile) ?? Prompt(env, "Keystore password:", confirm: false);

    /// <summary>The password to lock a new keystore; an interactive one is asked twice, and none may be empty.</summary>
    public static string ForNewKey(WalletEnvironment env, string? passwordFile)
    {
        var password = FromFileOrVariable(env, passwordFile) ?? Prompt(env, "New keystore password:", confirm: true);
        if (password.Length == 0)
            throw new WalletException(ExitCode.BadInput, "EMPTY_PASSWORD", "refusing to encrypt a key with an empty password");
        return password;
    }

    private static string? FromFileOrVariable(WalletEnvironment env, string? passwordFile)
    {
        if (passwordFile is not null)
        {
            string text;
            try { text = File.ReadAllText(passwordFile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            { throw new WalletException(ExitCode.BadInput, "UNREADABLE_PASSWORD_FILE", $"cannot read password file {passwordFile}: {e.Message}"); }
            // Like geth's --password: the first line, without its line ending, so `echo pw > file` works.
            var newline = text.IndexOf('\n');
            return (newline < 0 ? text : text[..newline]).TrimEnd('\r');
        }
        return env.GetVariable(WalletEnvironment.PasswordVariable);
    }

    private static string Prompt(WalletEnvironment env, string label, bool confirm)
    {
        if (env.PromptSecret is not { } prompt)
            throw new WalletException(ExitCode.NoPassword, "NO_PASSWORD",
                $"no password: use --password-file or set {WalletEnvironment.PasswordVariable} (stdin is not a terminal)");
        var password = prompt(label);
        if (confirm && prompt("Repeat password:") != password)
            throw new WalletException(ExitCode.BadInput, "PASSWORD_MISMATCH", "the two passwords differ");
        return password;
    }
}
