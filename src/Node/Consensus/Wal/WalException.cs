namespace P2PEnergy.Node.Consensus.Wal;

/// <summary>
/// A consensus log the node must not start from: a corrupted record with valid records after it (the middle of the log
/// is damaged, so replaying around it could forget a vote), a file that is not our log, or a version we cannot read.
/// </summary>
public sealed class WalException(string file, long offset, string problem)
    : Exception($"consensus WAL {file} at offset {offset}: {problem}. The node refuses to start rather than risk signing twice; see docs/consensus.md (\"WAL\") for recovery.")
{
    public string File { get; } = file;
    public long Offset { get; } = offset;
}
