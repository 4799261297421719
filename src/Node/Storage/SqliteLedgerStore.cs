using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The node's <see cref="ILedgerStore"/> in one SQLite file (schema: <see cref="LedgerSchema"/>): one SQLite
/// transaction per block, WAL journal, fsync on every commit. Safe to read from many threads while one commits.
/// </summary>
/// <remarks>
/// One writer and a small pool of readers, because the API layer, the mempool and block execution read while blocks
/// commit. All writes go through <c>_writer</c> under <c>_writeLock</c>; a read takes a free reader of the pool
/// (<see cref="LeaseReader"/>), under that reader's lock (a Microsoft.Data.Sqlite connection must not be used by two threads at once).
/// One shared reader serialised every mempool duplicate check behind block execution's reads. Under WAL a reader works on the last committed snapshot
/// and never waits for the writer, so a 5,000-change block being written and fsynced does not stall point reads;
/// with one shared connection it would, for the whole commit. The in-memory tip (<see cref="Height"/>,
/// <see cref="AppHash"/>, <see cref="LastBlockHash"/>) advances only after the SQL commit returns, so a reader may
/// briefly see the new block's state with the previous height, never the reverse.
/// </remarks>
public sealed partial class SqliteLedgerStore : ILedgerStore
{
    /// <summary>
    /// 64 MiB of page cache per connection (the default is 2 MiB). A point read or an upsert walks the state b-tree
    /// from the root; once the tree outgrows the cache every level below the top costs a pread from the OS. On the
    /// dev box with 100,000 accounts this took point reads from ~9 µs to ~5.5 µs. It is a ceiling, not an allocation.
    /// </summary>
    private const string CacheSize = " PRAGMA cache_size = -65536;";

    /// <summary>
    /// Checkpoint the WAL into the main file once it holds 16,384 pages (128 MiB with the 8 KiB pages of
    /// <see cref="LedgerSchema.PageSize"/>, 64 MiB in a store created with 4 KiB pages), not SQLite's default 1,000.
    /// Under load a block dirties more than 1,000 pages, so the default checkpointed in every commit, on the consensus
    /// thread: every page written twice, the WAL read back, and the main file fsynced per block. A page rewritten by
    /// consecutive blocks (account rows, index tails, the upper b-tree levels) is now copied once per checkpoint, and
    /// the main file is fsynced once per checkpoint. Durability is unchanged: a commit is durable when its WAL frames
    /// are fsynced (synchronous = FULL), and a restart reads the WAL. The cost is a WAL file of up to ~128 MiB, reused.
    /// </summary>
    internal const int CheckpointPages = 16_384;

    /// <summary>Read connections: enough that the cores' threads seldom share one.</summary>
    private static readonly int ReaderCount = Math.Clamp(Environment.ProcessorCount * 2, 4, 8);

    /// <summary>Per reader 8 MiB of page cache (at most 64 MiB for all); they share the OS page cache beneath it.</summary>
    private const string ReaderCacheSize = " PRAGMA cache_size = -8192;";

    private sealed record ChainTip(Hash32 GenesisHash, ulong Height, Hash32 AppHash, Hash32 LastBlockHash);

    private readonly SqliteConnection _writer;
    private readonly Reader[] _readers;
    private readonly Lock _writeLock = new();
    private readonly WriteCommands _write;
    private readonly StateWrites _rows;
    private volatile ChainTip? _tip;
    private volatile bool _disposed;
    // Which state keys and transaction ids the store may hold: lookups of absent ones (every new contract's replay
    // check, every submission's duplicate check) skip SQLite. Loaded on open, added to before each commit.
    private readonly MembershipFilter _stateKeys;
    private readonly MembershipFilter _transactionIds;

    /// <summary>A read connection with its prepared commands and the lock that gives one thread at a time its use.</summary>
    private sealed class Reader(SqliteConnection connection) : IDisposable
    {
        public Lock Gate { get; } = new();
        public SqliteConnection Connection { get; } = connection;
        public ReadCommands Commands { get; } = new(connection);

        public void Dispose()
        {
            Commands.Dispose();
            Connection.Dispose();
        }
    }

    private SqliteLedgerStore(SqliteConnection writer, Reader[] readers)
    {
        _writer = writer;
        _readers = readers;
        _write = new WriteCommands(writer);
        _rows = new StateWrites(writer);
        _tip = LoadTip(readers[0].Connection);
        _stateKeys = LoadFilter(readers[0].Connection, "SELECT count(*) FROM state", "SELECT key FROM state", (f, row) => f.Add(row.GetString(0)));
        _transactionIds = LoadFilter(readers[0].Connection, "SELECT count(*) FROM transactions", "SELECT id FROM transactions", (f, row) => f.Add((byte[])row[0]));
    }

    private static MembershipFilter LoadFilter(SqliteConnection connection, string count, string select, Action<MembershipFilter, SqliteDataReader> add)
    {
        using var command = connection.CreateCommand();
        command.CommandText = count;
        // Room to grow before the first extra layer; a layer is 10 bits per key.
        var filter = new MembershipFilter(Math.Max(1 << 16, 2 * (long)command.ExecuteScalar()!));
        command.CommandText = select;
        using var rows = command.ExecuteReader();
        while (rows.Read()) add(filter, rows);
        return filter;
    }

    /// <summary>
    /// A reader of the pool, held until the lease is disposed: the first free one from this thread's place in the pool,
    /// else (all busy) this thread's own, waited for. Taking the thread's reader unconditionally, as before, made two
    /// threads whose ids met in the pool spin on one lock while the other readers sat idle: under load the mempool's
    /// door reads (two account reads per submission) spent more CPU spinning on those locks than reading.
    /// </summary>
    private ReaderLease LeaseReader()
    {
        int own = Environment.CurrentManagedThreadId % _readers.Length;
        for (int i = 0; i < _readers.Length; i++)
        {
            var reader = _readers[(own + i) % _readers.Length];
            if (reader.Gate.TryEnter()) return new ReaderLease(reader);
        }
        _readers[own].Gate.Enter();
        return new ReaderLease(_readers[own]);
    }

    /// <summary>A reader whose lock this thread holds; disposing releases it.</summary>
    private readonly struct ReaderLease(Reader reader) : IDisposable
    {
        public Reader Reader => reader;
        public void Dispose() => reader.Gate.Exit();
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file and schema when missing; resumes the chain tip
    /// from a file written before. Throws <see cref="LedgerStoreException"/> for a file that is not a ledger store
    /// of this schema version.
    /// </summary>
    public static SqliteLedgerStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SqliteConnection? writer = null;
        var readers = new List<Reader>();
        try
        {
            writer = Connect(path, SqliteOpenMode.ReadWriteCreate);
            LedgerSchema.CreateOrVerify(writer, path);
            // FULL, not NORMAL: in WAL mode NORMAL skips the fsync of the log at commit, so a block we reported
            // committed (and may already have voted past in consensus, or answered a client about) survives kill -9
            // but can vanish on power loss or an OS crash. FULL fsyncs the WAL before Commit returns. The cost is one
            // fsync per block, not per write, because a block is one transaction.
            Execute(writer, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = "
                + CheckpointPages.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";" + CacheSize);
            for (int i = 0; i < ReaderCount; i++)
            {
                var reader = Connect(path, SqliteOpenMode.ReadWrite);
                readers.Add(new Reader(reader));
                // Readers only ever read; query_only makes an accidental write through one an error. They are opened
                // read-write rather than ReadOnly because a WAL reader needs write access to the -shm index.
                Execute(reader, "PRAGMA query_only = ON;" + ReaderCacheSize);
            }
            return new SqliteLedgerStore(writer, readers.ToArray());
        }
        catch
        {
            foreach (var reader in readers) reader.Dispose();
            writer?.Dispose();
            throw;
        }
    }

    public Hash32? GenesisHash => Tip()?.GenesisHash;

    public ulong Height => Tip()?.Height ?? 0;

    public Hash32 AppHash => Tip()?.AppHash ?? Hash32.Zero;

    public Hash32 LastBlockHash => Tip()?.LastBlockHash ?? Hash32.Zero;

    public void Dispose()
    {
        // Taking both locks waits for an in-flight commit or read to finish before the connections close under it.
        lock (_writeLock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var reader in _readers)
                lock (reader.Gate) reader.Dispose();
            _write.Dispose();
            _rows.Dispose();
            _writer.Dispose();
        }
    }

    private ChainTip? Tip()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _tip;
    }

    private static ChainTip? LoadTip(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT genesis_hash, height, app_hash, last_block_hash FROM meta WHERE id = 1";
        using var row = command.ExecuteReader();
        if (!row.Read()) return null;
        return new ChainTip(
            Hash32.FromBytes((byte[])row[0]),
            checked((ulong)row.GetInt64(1)),
            Hash32.FromBytes((byte[])row[2]),
            Hash32.FromBytes((byte[])row[3]));
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        // No pooling: a pooled connection keeps the file open after Dispose, which would let a second store on the
        // same path see a stale tip and keeps temp directories from being deleted.
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Heights are ulong in the API and signed 64-bit INTEGER in SQLite; no real chain reaches 2^63.</summary>
    private static long ToDb(ulong height) => checked((long)height);
}
