using Google.Protobuf;
using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Storage;

public sealed partial class SqliteLedgerStore
{
    public void InitializeGenesis(Hash32 genesisHash, IReadOnlyList<StateChange> sortedChanges, Hash32 appHash)
    {
        ArgumentNullException.ThrowIfNull(sortedChanges);
        lock (_writeLock)
        {
            if (Tip() is { } tip)
                throw new LedgerStoreException(LedgerStoreError.GenesisState,
                    $"the store already holds genesis {tip.GenesisHash} at height {tip.Height}; genesis is written once");
            RequireAscending(sortedChanges);

            AddToFilters(sortedChanges, []);
            WriteInOneTransaction(() =>
            {
                ApplyChanges(0, sortedChanges);
                Bind(_write.InsertMeta, genesisHash.ToArray(), 0L, appHash.ToArray(), Hash32.Zero.ToArray());
            });
            _tip = new ChainTip(genesisHash, 0, appHash, Hash32.Zero);
        }
    }

    public void Commit(Block block, Hash32 blockHash, IReadOnlyList<TransactionResult> results, IReadOnlyList<StateChange> sortedChanges, Hash32 appHash)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(sortedChanges);
        lock (_writeLock)
        {
            var tip = Tip() ?? throw new LedgerStoreException(LedgerStoreError.GenesisState, "cannot commit a block before InitializeGenesis");
            var header = RequireChainsOnto(tip, block, blockHash, appHash);
            RequireResultPerTransaction(block, results);
            RequireAscending(sortedChanges);

            ulong height = header.Height;
            var headerBytes = BlockHeaderHashing.Canonical(header);
            var blockBytes = block.ToByteArray();
            AddToFilters(sortedChanges, results);
            WriteInOneTransaction(() =>
            {
                Bind(_write.InsertBlock, ToDb(height), blockHash.ToArray(), headerBytes, blockBytes);
                for (int i = 0; i < results.Count; i++)
                {
                    var r = results[i];
                    _rows.InsertResult(ToDb(height), i, r.TransactionId.Span, r.Code, r.Message, r.PayloadId.Span);
                }
                ApplyChanges(height, sortedChanges);
                Bind(_write.AdvanceMeta, ToDb(height), appHash.ToArray(), blockHash.ToArray());
            });
            // Only now: had the commit thrown, the tip would still describe what the file holds.
            _tip = tip with { Height = height, AppHash = appHash, LastBlockHash = blockHash };
        }
    }

    private static BlockHeader RequireChainsOnto(ChainTip tip, Block block, Hash32 blockHash, Hash32 appHash)
    {
        var header = block.Header ?? throw new LedgerStoreException(LedgerStoreError.HeightMismatch, $"block has no header; expected height {tip.Height + 1}");
        if (header.Height != tip.Height + 1)
            throw new LedgerStoreException(LedgerStoreError.HeightMismatch, $"block height {header.Height} does not follow the store: expected {tip.Height + 1}");
        if (!header.PreviousHash.Span.SequenceEqual(tip.LastBlockHash.Bytes))
            throw new LedgerStoreException(LedgerStoreError.PreviousHashMismatch,
                $"block {header.Height} previous hash {Hex.Encode(header.PreviousHash.Span)} is not the last committed block hash {tip.LastBlockHash}");
        // The header carries the state after this block (blocks.proto); storing a header that disagrees with the
        // state being written would make the block store unreplayable (DESIGN rule 3).
        if (!header.AppHash.Span.SequenceEqual(appHash.Bytes))
            throw new LedgerStoreException(LedgerStoreError.AppHashMismatch,
                $"block {header.Height} header app hash {Hex.Encode(header.AppHash.Span)} ({header.AppHash.Length} bytes) is not the app hash being committed {appHash}");
        Hash32 actual;
        try
        {
            actual = BlockHeaderHashing.Hash(header);
        }
        catch (FormatException e)
        {
            throw new LedgerStoreException(LedgerStoreError.BlockHashMismatch, $"block {header.Height} header cannot be hashed: {e.Message}", e);
        }
        if (actual != blockHash)
            throw new LedgerStoreException(LedgerStoreError.BlockHashMismatch, $"block {header.Height} hash given as {blockHash}, but its header hashes to {actual}");
        return header;
    }

    private static void RequireResultPerTransaction(Block block, IReadOnlyList<TransactionResult> results)
    {
        if (results.Count != block.Transactions.Count)
            throw new LedgerStoreException(LedgerStoreError.ResultsMismatch,
                $"block {block.Header.Height} has {block.Transactions.Count} transactions but {results.Count} results");
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i] is null || results[i].TransactionId.Length != 32)
                throw new LedgerStoreException(LedgerStoreError.ResultsMismatch,
                    $"block {block.Header.Height} result {i} transaction id must be 32 bytes, got {results[i]?.TransactionId.Length ?? 0}");
        }
    }

    private static void RequireAscending(IReadOnlyList<StateChange> changes)
    {
        if (changes is SortedChangeSet) return; // built in ascending order from distinct non-null keys (StateOverlay.Changes)
        for (int i = 0; i < changes.Count; i++)
        {
            if (changes[i].Key is null)
                throw new LedgerStoreException(LedgerStoreError.ChangesNotSorted, $"state change {i} has no key");
            if (i > 0 && string.CompareOrdinal(changes[i - 1].Key, changes[i].Key) >= 0)
                throw new LedgerStoreException(LedgerStoreError.ChangesNotSorted,
                    $"state changes must be in strictly ascending ordinal key order: change {i - 1} '{changes[i - 1].Key}' comes before change {i} '{changes[i].Key}'");
        }
    }

    /// <summary>Writes the state table and the change log for one height. Runs inside the caller's transaction.</summary>
    /// <summary>
    /// Before the write: a reader must never be told "absent" for something committed. If the write then fails the
    /// filters merely hold a few extra entries (false positives).
    /// </summary>
    private void AddToFilters(IReadOnlyList<StateChange> changes, IReadOnlyList<TransactionResult> results)
    {
        foreach (var change in changes)
            if (change.Value is not null) _stateKeys.Add(change.Key);
        foreach (var result in results) _transactionIds.Add(result.TransactionId.Span);
    }

    private void ApplyChanges(ulong height, IReadOnlyList<StateChange> changes)
    {
        foreach (var (key, value) in changes)
        {
            if (value is null) _rows.Delete(key);
            else _rows.Set(key, value);
        }
        // The execution's change set already holds the encoding it hashed: stored as is, not encoded again.
        Bind(_write.InsertChanges, ToDb(height), changes is SortedChangeSet set ? set.EncodedArray : ChangeSetEncoding.Encode(changes));
    }

    /// <summary>
    /// Runs <paramref name="write"/> in one SQLite transaction on the write connection: all of it reaches the file
    /// (fsynced, see <see cref="Open"/>) or, on any exception, none of it does and the exception propagates.
    /// </summary>
    private void WriteInOneTransaction(Action write) => WriteInOneTransaction(_ => write());

    /// <summary>As <see cref="WriteInOneTransaction(Action)"/>, handing the transaction to commands made on the spot.</summary>
    private void WriteInOneTransaction(Action<SqliteTransaction> write)
    {
        using var transaction = _writer.BeginTransaction();
        _write.Enlist(transaction);
        try
        {
            write(transaction);
            transaction.Commit();
        }
        finally
        {
            // Disposing an uncommitted transaction rolls it back.
            _write.Enlist(null);
        }
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
        command.ExecuteNonQuery();
    }
}
