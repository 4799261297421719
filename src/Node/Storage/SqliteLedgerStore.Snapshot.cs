using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Storage;

/// <summary>Where a store imported from a snapshot starts: the height, its state root and app hash (blocks before are absent).</summary>
public sealed record SnapshotBase(ulong Height, Hash32 StateRoot, Hash32 AppHash);

public sealed partial class SqliteLedgerStore
{
    /// <summary>
    /// Writes an empty store's chain as starting at a snapshot: the state entries at <paramref name="block"/>'s height,
    /// that block (header and commit), and the tip after it, in one transaction; the optional table
    /// <c>snapshot_base</c> records the base so verify replays from there. Blocks before it are absent.
    /// </summary>
    public void InitializeFromSnapshot(Hash32 genesisHash, Block block, Hash32 stateRoot, IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        ArgumentNullException.ThrowIfNull(block);
        lock (_writeLock)
        {
            if (Tip() is { } tip)
                throw new LedgerStoreException(LedgerStoreError.GenesisState, $"the store already holds a chain at height {tip.Height}; a snapshot starts an empty one");
            var header = block.Header;
            var blockHash = BlockHeaderHashing.Hash(header);
            var appHash = Hash32.FromBytes(header.AppHash.Span);
            WriteInOneTransaction(transaction =>
            {
                string? last = null;
                foreach (var (key, value) in entries)
                {
                    if (last is not null && string.CompareOrdinal(last, key) >= 0)
                        throw new LedgerStoreException(LedgerStoreError.ChangesNotSorted, $"snapshot entries must be in ascending key order: '{key}' after '{last}'");
                    last = key;
                    _stateKeys.Add(key);
                    _rows.Set(key, value);
                }
                Bind(_write.InsertBlock, ToDb(header.Height), blockHash.ToArray(), BlockHeaderHashing.Canonical(header), block.ToByteArray());
                Bind(_write.InsertMeta, genesisHash.ToArray(), ToDb(header.Height), appHash.ToArray(), blockHash.ToArray());
                using var baseTable = _writer.CreateCommand();
                baseTable.Transaction = transaction;
                baseTable.CommandText = """
                    CREATE TABLE snapshot_base (id INTEGER PRIMARY KEY CHECK (id = 1), height INTEGER NOT NULL, state_root BLOB NOT NULL, app_hash BLOB NOT NULL) STRICT;
                    INSERT INTO snapshot_base (id, height, state_root, app_hash) VALUES (1, $height, $root, $app);
                    """;
                baseTable.Parameters.AddWithValue("$height", ToDb(header.Height));
                baseTable.Parameters.AddWithValue("$root", stateRoot.ToArray());
                baseTable.Parameters.AddWithValue("$app", appHash.ToArray());
                baseTable.ExecuteNonQuery();
            });
            _tip = new ChainTip(genesisHash, header.Height, appHash, blockHash);
        }
    }

    /// <summary>The snapshot this store's chain starts at, or null for a chain from genesis.</summary>
    public SnapshotBase? Base()
    {
        using var lease = LeaseReader();
        var reader = lease.Reader;
        {
            using var command = reader.Connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'snapshot_base'";
            if ((long)command.ExecuteScalar()! == 0) return null;
            command.CommandText = "SELECT height, state_root, app_hash FROM snapshot_base WHERE id = 1";
            using var row = command.ExecuteReader();
            return row.Read() ? new SnapshotBase(checked((ulong)row.GetInt64(0)), Hash32.FromBytes((byte[])row[1]), Hash32.FromBytes((byte[])row[2])) : null;
        }
    }
}
