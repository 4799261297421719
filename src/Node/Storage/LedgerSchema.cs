using Microsoft.Data.Sqlite;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The SQLite schema of a ledger store, how a new file gets it and how an existing file is recognised.
/// </summary>
/// <remarks>
/// <code>
/// store_info   one row: application = 'p2penergy-ledger', schema_version. Identifies the file; anything else is
///              refused rather than written to.
/// state        key TEXT (BINARY collation = byte order of UTF-8 = ordinal order for the ASCII keys of StateKeys)
///              → value BLOB. WITHOUT ROWID: the primary-key b-tree holds the value, so a point read is one
///              b-tree descent and a prefix scan is one range walk in key order.
/// blocks       height → block hash (unique), header = canonical header bytes (keccak256 of them is the hash,
///              so the column is self-verifying, DESIGN rule 2), block = the serialized Block protobuf.
/// transactions (height, idx) → id, code, message, payload_id; index on id for FindTransaction.
///              Keyed by position rather than by id: a byzantine proposer can put an already committed envelope
///              into a later block, where execution records it as NONCE_REUSED. Both rows are history, so the id
///              cannot be unique; FindTransaction answers with the first (the one that took effect).
/// block_changes height → the sorted writes that block made, height 0 = genesis, as one blob in the encoding the
///              app hash covers (ChangeSetEncoding). One row per block: a row per change doubled the b-tree inserts
///              of every commit. (Schema version 1 had a row per change in a table 'changes'.)
/// Version 3 changed no table but every state key (docs/architecture.md "State keys": numbers as StateKeys.Number,
/// the contract indexes under party/ and due/): a version-2 file's keys would read as absent, so it is refused too.
/// meta         one row, written by genesis and updated by every commit in the same transaction as the block:
///              genesis_hash, height, app_hash, last_block_hash. The in-memory tip is loaded from it on open.
/// </code>
/// All tables are STRICT so a wrongly typed bind (an integer key, a text value) fails instead of being coerced.
/// </remarks>
internal static class LedgerSchema
{
    public const string Application = "p2penergy-ledger";
    public const long Version = 3;

    private const string CreateTables = """
        CREATE TABLE store_info (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            application TEXT NOT NULL,
            schema_version INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE state (
            key TEXT NOT NULL PRIMARY KEY COLLATE BINARY,
            value BLOB NOT NULL
        ) WITHOUT ROWID, STRICT;
        CREATE TABLE blocks (
            height INTEGER PRIMARY KEY,
            hash BLOB NOT NULL UNIQUE,
            header BLOB NOT NULL,
            block BLOB NOT NULL
        ) STRICT;
        CREATE TABLE transactions (
            height INTEGER NOT NULL REFERENCES blocks (height),
            idx INTEGER NOT NULL,
            id BLOB NOT NULL,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            payload_id BLOB NOT NULL,
            PRIMARY KEY (height, idx)
        ) WITHOUT ROWID, STRICT;
        CREATE INDEX transactions_by_id ON transactions (id);
        CREATE TABLE block_changes (
            height INTEGER PRIMARY KEY,
            changes BLOB NOT NULL
        ) STRICT;
        CREATE TABLE meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            genesis_hash BLOB NOT NULL,
            height INTEGER NOT NULL,
            app_hash BLOB NOT NULL,
            last_block_hash BLOB NOT NULL
        ) STRICT;
        """;

    /// <summary>
    /// Gives an empty file the schema, or checks that a non-empty one is a ledger store of this version.
    /// Identity is checked before anything is written, so a foreign database is never switched to WAL or altered.
    /// </summary>
    public static void CreateOrVerify(SqliteConnection connection, string path, bool create = true)
    {
        long objects;
        try
        {
            objects = Scalar<long>(connection, "SELECT count(*) FROM sqlite_schema");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 /* SQLITE_NOTADB */)
        {
            throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{path}' is not a SQLite database, so not a P2PEnergy ledger store", e);
        }

        if (objects > 0) Verify(connection, path);
        else if (!create) throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{path}' is an empty database, not a P2PEnergy ledger store");
        if (!create) return; // a reader (backup) neither switches the journal mode nor writes
        if (objects == 0) SetPageSize(connection);
        EnableWriteAheadLog(connection, path);
        if (objects == 0) Create(connection);
    }

    private static void Verify(SqliteConnection connection, string path)
    {
        bool hasInfo = Scalar<long>(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'store_info'") == 1;
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT application, schema_version FROM store_info WHERE id = 1";
        using var row = hasInfo ? read.ExecuteReader() : null;
        if (row is null || !row.Read() || row.GetFieldType(0) != typeof(string) || row.GetString(0) != Application)
            throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{path}' is a SQLite database but not a P2PEnergy ledger store (no store_info row for '{Application}')");
        long version = row.GetInt64(1);
        if (version != Version)
            throw new LedgerStoreException(LedgerStoreError.UnknownSchemaVersion,
                $"'{path}' has ledger schema version {version}; this node reads version {Version} (initialise a new data directory, or run the node version that wrote it)");
    }

    /// <summary>
    /// The page size of a store created now. A file keeps the page size it was created with (SQLite cannot change it
    /// in WAL mode), so stores created before keep theirs and open as before.
    /// </summary>
    /// <remarks>
    /// 8 KiB, not SQLite's 4 KiB. A commit writes every page it dirtied to the WAL as its own frame (a header write, a
    /// page write and a checksum over it), and the checkpoint reads each back and writes it again: under load the
    /// store's work per contract is mostly per page, not per byte. With 8 KiB pages the sequential tables (blocks,
    /// results, the change log) take half the frames, and the b-trees one level fewer; the random inserts (a new
    /// contract's key, its id in <c>transactions_by_id</c>) still dirty one page each, now twice the bytes. Measured on
    /// `load --contracts 100000` (docs/benchmarks.md): the consensus thread's CPU per contract fell by about a quarter
    /// and the file grew ≈ 11 %; 1 KiB pages were slower (more frames), 16 and 32 KiB no faster than 8 and larger.
    /// </remarks>
    public const int PageSize = 8192;

    private static void SetPageSize(SqliteConnection connection)
    {
        // Must precede the first write (the journal mode switch writes the header). An empty file already in WAL mode
        // (a store whose creation was cut short by an older version) keeps its page size: slower, not wrong.
        using var set = connection.CreateCommand();
        set.CommandText = "PRAGMA page_size = " + PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        set.ExecuteNonQuery();
    }

    private static void EnableWriteAheadLog(SqliteConnection connection, string path)
    {
        // WAL: readers see the last committed block while the next one is written, and a commit is one sequential
        // append. The mode is persistent in the file; the reply says whether SQLite accepted it.
        var mode = Scalar<string>(connection, "PRAGMA journal_mode = WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{path}' cannot use write-ahead logging (journal_mode is '{mode}')");
    }

    private static void Create(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = CreateTables + "INSERT INTO store_info (id, application, schema_version) VALUES (1, $application, $version);";
        create.Parameters.AddWithValue("$application", Application);
        create.Parameters.AddWithValue("$version", Version);
        create.ExecuteNonQuery();
        transaction.Commit();
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }
}
