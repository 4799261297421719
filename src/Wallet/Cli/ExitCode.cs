namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// The process exit codes of <c>p2pe</c>, stable for scripts (documented in docs/wallet.md). Each failure also
/// prints one line with a reason code such as <c>WRONG_PASSWORD</c>.
/// </summary>
public enum ExitCode
{
    Ok = 0,
    /// <summary>A bug or an unexpected failure; the message names the exception.</summary>
    Internal = 1,
    /// <summary>The command line does not parse (unknown command, missing argument, conflicting options).</summary>
    Usage = 2,
    /// <summary>No password source: no --password-file, no P2PE_PASSWORD, and stdin is not a terminal.</summary>
    NoPassword = 3,
    /// <summary>The keystore's MAC does not match the password.</summary>
    WrongPassword = 4,
    /// <summary>No key has the given name.</summary>
    UnknownKey = 5,
    /// <summary>The name, or the key's address, is already in the key ring.</summary>
    KeyExists = 6,
    /// <summary>A keystore file is malformed, unsupported (version, cipher, kdf) or holds another address than it claims.</summary>
    BadKeystore = 7,
    /// <summary>An input is unusable: an invalid name, private key or password file, or an input file that cannot be read.</summary>
    BadInput = 8,
    /// <summary>The key ring on disk cannot be read or written.</summary>
    Storage = 9,
    /// <summary>The node cannot be reached at the configured URL (NODE_UNREACHABLE), or it failed the call.</summary>
    NodeUnreachable = 10,
    /// <summary>The node refused or failed the transaction or query; the line carries the node's reason code.</summary>
    Rejected = 11,
    /// <summary>The user declined a confirmation, or none could be asked (no terminal and no --yes).</summary>
    NotConfirmed = 12,
    /// <summary>p2pe anchor verify: the proof fails a check of the ledger's rules, or contradicts the anchored chain.</summary>
    ProofInvalid = 13,
    /// <summary>p2pe anchor verify: the proof holds offline, but no anchored checkpoint at or after the contract is within it yet.</summary>
    NotAnchored = 14,
    /// <summary>The EVM JSON-RPC endpoint cannot be reached, or no anchor contract is at the address (EVM_UNREACHABLE).</summary>
    EvmUnreachable = 15,
}
