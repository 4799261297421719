namespace P2PEnergy.Node.Hosting;

/// <summary>
/// A snapshot or a block to catch up with that does not check out: a stable <see cref="Code"/> scripts match on, and a
/// message naming what differs. What it refused is not written (a sync keeps the checked blocks before it).
/// </summary>
public sealed class SnapshotRejection(string code, string message) : Exception($"{code}: {message}")
{
    /// <summary>The archive is not a p2pe-node snapshot (a foreign or missing part, a truncated list).</summary>
    public const string Malformed = "SNAPSHOT_MALFORMED";
    /// <summary>The snapshot or the source ledger belongs to another chain (chain id or genesis hash).</summary>
    public const string WrongChain = "SNAPSHOT_WRONG_CHAIN";
    /// <summary>The state entries do not hash to the state root the snapshot claims.</summary>
    public const string StateRootMismatch = "SNAPSHOT_STATE_ROOT_MISMATCH";
    /// <summary>The validators in force at the snapshot height are not the trusted set.</summary>
    public const string UntrustedValidators = "SNAPSHOT_UNTRUSTED_VALIDATORS";
    /// <summary>The block does not belong where it is offered: height, previous hash or app hash.</summary>
    public const string BlockMismatch = "SNAPSHOT_BLOCK_MISMATCH";
    /// <summary>A commit or the attestations carry no more than 2/3 of the trusted voting power.</summary>
    public const string NoQuorum = "SNAPSHOT_NO_QUORUM";
    /// <summary>An attestation does not verify or attests something else.</summary>
    public const string BadAttestation = "SNAPSHOT_BAD_ATTESTATION";
    /// <summary>Re-executing a block after the snapshot does not give the app hash its header carries.</summary>
    public const string AppHashMismatch = "SNAPSHOT_APP_HASH_MISMATCH";

    public string Code { get; } = code;
}
