namespace P2PEnergy.Node.Consensus;

/// <summary>
/// When the consensus driver last committed a block, by the host's clock: what the node's health check reads
/// (a node that has not committed for a while is NOT_SERVING). Written by the consensus thread, read by any.
/// </summary>
public sealed class CommitWatch
{
    private long _lastCommitMs = long.MinValue;

    /// <summary>Unix milliseconds of the last commit; null before the first.</summary>
    public long? LastCommitMs => Volatile.Read(ref _lastCommitMs) is var ms && ms != long.MinValue ? ms : null;

    /// <summary>Height of the last block committed through this watch.</summary>
    public ulong Height => Volatile.Read(ref _height);

    private ulong _height;

    public void Record(ulong height, long nowMs)
    {
        Volatile.Write(ref _height, height);
        Volatile.Write(ref _lastCommitMs, nowMs);
    }
}
