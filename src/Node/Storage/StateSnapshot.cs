using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The ledger at one committed height, read through one SQLite read transaction on a connection of its own: whatever
/// the node commits meanwhile, <see cref="Entries"/> returns the state exactly as of <see cref="Height"/>. Opened right
/// after a block commits (on the consensus thread: an open and one row), read elsewhere for as long as it takes (a
/// state scan off the consensus thread), then disposed. While it is open the WAL cannot be checkpointed past it.
/// It reads only; another process (the snapshot export) may open one beside the running node.
/// </summary>
public sealed class StateSnapshot : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    private StateSnapshot(SqliteConnection connection, SqliteTransaction transaction, ulong height, Hash32 appHash, Hash32 blockHash, Hash32 genesisHash)
    {
        _connection = connection;
        _transaction = transaction;
        Height = height;
        AppHash = appHash;
        BlockHash = blockHash;
        GenesisHash = genesisHash;
    }

    public ulong Height { get; }
    public Hash32 AppHash { get; }
    public Hash32 BlockHash { get; }
    public Hash32 GenesisHash { get; }

    public static StateSnapshot Open(string ledgerFile)
    {
        if (!File.Exists(ledgerFile)) throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{ledgerFile}' does not exist");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ledgerFile, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA query_only = ON;";
                pragma.ExecuteNonQuery();
            }
            LedgerSchema.CreateOrVerify(connection, ledgerFile, create: false);
            // The first read inside the transaction fixes its snapshot: the tip and every later read agree.
            var transaction = connection.BeginTransaction(deferred: true);
            using var meta = connection.CreateCommand();
            meta.Transaction = transaction;
            meta.CommandText = "SELECT genesis_hash, height, app_hash, last_block_hash FROM meta WHERE id = 1";
            using var row = meta.ExecuteReader();
            if (!row.Read()) throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{ledgerFile}' holds no chain (not initialised)");
            return new StateSnapshot(connection, transaction, checked((ulong)row.GetInt64(1)), Hash32.FromBytes((byte[])row[2]), Hash32.FromBytes((byte[])row[3]), Hash32.FromBytes((byte[])row[0]));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Every state entry at <see cref="Height"/> in ordinal key order (the state table's BINARY collation).</summary>
    public IEnumerable<KeyValuePair<string, byte[]>> Entries()
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT key, value FROM state ORDER BY key";
        using var rows = command.ExecuteReader();
        while (rows.Read()) yield return KeyValuePair.Create(rows.GetString(0), (byte[])rows[1]);
    }

    /// <summary>The state entries at <see cref="Height"/> whose key starts with <paramref name="prefix"/>, in key order.</summary>
    public IEnumerable<KeyValuePair<string, byte[]>> EntriesFrom(string prefix)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT key, value FROM state WHERE key >= $prefix AND substr(key, 1, length($prefix)) = $prefix ORDER BY key";
        command.Parameters.AddWithValue("$prefix", prefix);
        using var rows = command.ExecuteReader();
        while (rows.Read()) yield return KeyValuePair.Create(rows.GetString(0), (byte[])rows[1]);
    }

    /// <summary>The stored block at <paramref name="height"/>, or null.</summary>
    public Block? Block(ulong height)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT block FROM blocks WHERE height = $height";
        command.Parameters.AddWithValue("$height", checked((long)height));
        return command.ExecuteScalar() is byte[] bytes ? Contracts.Protos.Block.Parser.ParseFrom(bytes) : null;
    }

    /// <summary>The height of the block that first committed transaction <paramref name="id"/>, or null.</summary>
    public ulong? TransactionHeight(Hash32 id)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT height FROM transactions WHERE id = $id ORDER BY height, idx LIMIT 1";
        command.Parameters.AddWithValue("$id", id.ToArray());
        return command.ExecuteScalar() is long height ? (ulong)height : null;
    }

    /// <summary>The value under <paramref name="key"/> at <see cref="Height"/>, or null.</summary>
    public byte[]? Get(string key)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT value FROM state WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as byte[];
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }
}
