namespace P2PEnergy.Node.Consensus;

/// <summary>
/// Decides the next block and commits it. The host calls <see cref="TryCommit"/> when woken (a transaction
/// arrived or <see cref="UntilDue"/> elapsed); the engine owns no timers, so tests drive it with a manual clock.
/// </summary>
public interface IConsensusEngine
{
    /// <summary>Height of the last committed block.</summary>
    ulong Height { get; }

    /// <summary>BFT time of the last committed block (the genesis time at height 0), unix milliseconds.</summary>
    long LastBlockTimeMs { get; }

    /// <summary>How long until a block is due even with an empty mempool (zero when due now).</summary>
    TimeSpan UntilDue();

    /// <summary>Proposes, executes, signs and stores the next block when one is due; null when none is.</summary>
    CommittedBlock? TryCommit();

    /// <summary>Where committed blocks are announced (WatchTransaction, StreamBlocks).</summary>
    BlockFeed Feed { get; }
}
