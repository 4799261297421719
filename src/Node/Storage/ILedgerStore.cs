using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The node's durable store: committed state plus the block chain. <see cref="Commit"/> writes a block, its
/// transaction results, its state changes and its app hash in one database transaction, so a crash leaves the
/// store at the previous height or the new one, never in between.
/// </summary>
public interface ILedgerStore : IStateReader, IDisposable
{
    /// <summary>Height of the last committed block; 0 when only genesis state is present.</summary>
    ulong Height { get; }

    /// <summary>App hash after the last committed block (the genesis app hash at height 0).</summary>
    Hash32 AppHash { get; }

    /// <summary>Hash of the last committed block header (zero at height 0).</summary>
    Hash32 LastBlockHash { get; }

    /// <summary>Writes the genesis state (height 0) once; throws when the store already holds a chain.</summary>
    void InitializeGenesis(Hash32 genesisHash, IReadOnlyList<StateChange> sortedChanges, Hash32 appHash);

    /// <summary>The genesis document's hash recorded at initialisation, or null when uninitialised.</summary>
    Hash32? GenesisHash { get; }

    /// <summary>Atomically appends block <c>Height + 1</c>.</summary>
    void Commit(Block block, Hash32 blockHash, IReadOnlyList<TransactionResult> results, IReadOnlyList<StateChange> sortedChanges, Hash32 appHash);

    /// <summary>The stored block at <paramref name="height"/> (1-based), or null.</summary>
    Block? GetBlock(ulong height);

    /// <summary>The results of block <paramref name="height"/> in transaction order.</summary>
    IReadOnlyList<TransactionResult> GetResults(ulong height);

    /// <summary>Where a committed transaction is: its height and result; null when not committed.</summary>
    (ulong Height, TransactionResult Result)? FindTransaction(Hash32 transactionId);

    /// <summary>The state changes block <paramref name="height"/> wrote (for audit and replay checks).</summary>
    IReadOnlyList<StateChange> GetChanges(ulong height);
}
