using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus;

/// <summary>A block the engine decided and stored, with its hash and the result of each transaction.</summary>
public sealed record CommittedBlock(Block Block, Hash32 Hash, IReadOnlyList<TransactionResult> Results)
{
    public ulong Height => Block.Header.Height;

    /// <summary>Unexpected exceptions execution turned into refusals or skipped settlement items, for the host to log once.</summary>
    public IReadOnlyList<Ledger.Kernel.ExecutionFault> Faults { get; init; } = [];

    /// <summary>How long this node spent executing and storing the block (the metric p2pe.block.execution.duration).</summary>
    public TimeSpan Took { get; init; }
}
