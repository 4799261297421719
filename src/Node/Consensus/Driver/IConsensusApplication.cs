using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>valid(v) for one block, with the app hash this node computed for it and, when invalid, why.</summary>
public sealed record ExecutionVerdict(bool Valid, Hash32 AppHash, string Reason);

/// <summary>
/// The application seam: the replicated state machine consensus orders blocks for. The node implements it with the
/// BlockExecutor, the mempool and the SQLite store (<see cref="Application.LedgerApplication"/>); the simulation with a
/// small hash-chain application.
/// </summary>
public interface IConsensusApplication
{
    /// <summary>Height of the last committed block (0: genesis only).</summary>
    ulong Height { get; }

    /// <summary>BFT time of the last committed block (the genesis time at height 0), unix milliseconds.</summary>
    long LastBlockTimeMs { get; }

    /// <summary>
    /// Whether transactions wait to be proposed. With <see cref="DriverOptions.Heartbeat"/> set, the next height starts at
    /// once after a commit only when they do (else when the heartbeat is due or a peer starts it).
    /// </summary>
    bool HasPendingTransactions { get; }

    /// <summary>The validators in force at <paramref name="height"/> (at most <see cref="Height"/> + 1), with proposer priorities.</summary>
    ValidatorSet ValidatorsAt(ulong height);

    /// <summary>
    /// getValue(): a block of height <see cref="Height"/> + 1 by <paramref name="proposer"/> at <paramref name="timeMs"/>,
    /// executed so that its header carries the app hash after it. Its commit stays empty.
    /// </summary>
    Block BuildProposal(ulong height, long timeMs, Address proposer);

    /// <summary>
    /// valid(v): executes a proposed block on the committed state. Deterministic: every honest node reaches the same
    /// verdict for the same block (header fields, time after the parent's, transactions, app hash).
    /// </summary>
    ExecutionVerdict Execute(Block block);

    /// <summary>
    /// Stores the decided block of height <see cref="Height"/> + 1 with its commit, atomically and durably. An
    /// implementation on the BlockExecutor publishes that block's execution (<c>BlockExecution.Publish</c>) only after
    /// the store commit succeeded, and never one of a proposal that was not decided.
    /// </summary>
    void Commit(Block block);

    /// <summary>A stored block with its commit, or null (for a peer that missed the decision).</summary>
    Block? CommittedBlock(ulong height);
}
