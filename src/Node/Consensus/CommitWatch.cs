namespace P2PEnergy.Node.Consensus;

/// <summary>
/// When the consensus driver last committed a block, by the host's clock, and how long the block took: what readiness
/// reads (a node that has not committed for a while is not ready) and the block-time metric records. Written by the
/// consensus thread, read by any.
/// </summary>
public sealed class CommitWatch
{
    private long _lastCommitMs = long.MinValue;
    private ulong _height;

    /// <summary>Unix milliseconds of the last commit; null before the first.</summary>
    public long? LastCommitMs => Volatile.Read(ref _lastCommitMs) is var ms && ms != long.MinValue ? ms : null;

    /// <summary>Height of the last block committed through this watch.</summary>
    public ulong Height => Volatile.Read(ref _height);

    /// <summary>Raised on the consensus thread after each commit with how long proposing, executing and storing took.</summary>
    public event Action<TimeSpan>? Committed;

    public void Record(ulong height, long nowMs)
    {
        Volatile.Write(ref _height, height);
        Volatile.Write(ref _lastCommitMs, nowMs);
    }

    /// <summary>Records a commit that took <paramref name="took"/> on the consensus thread.</summary>
    public void Record(ulong height, long nowMs, TimeSpan took)
    {
        Record(height, nowMs);
        Committed?.Invoke(took);
    }
}
