namespace P2PEnergy.Node.Consensus;

/// <summary>
/// What the rest of the node reads of consensus: the committed height, its BFT time and the feed that announces each
/// stored block. Implemented by the ledger application the Tendermint driver commits through
/// (<see cref="Application.LedgerApplication"/>).
/// </summary>
public interface IConsensusEngine
{
    /// <summary>Height of the last committed block.</summary>
    ulong Height { get; }

    /// <summary>BFT time of the last committed block (the genesis time at height 0), unix milliseconds.</summary>
    long LastBlockTimeMs { get; }

    /// <summary>Where committed blocks are announced (WatchTransaction, StreamBlocks).</summary>
    BlockFeed Feed { get; }
}
