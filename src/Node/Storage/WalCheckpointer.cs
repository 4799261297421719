using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// Copies the ledger's write-ahead log into the main file on a thread of its own, so the committing (consensus) thread
/// never runs a checkpoint. The writer counts the WAL frames its commits append (<see cref="Committed"/>); once
/// <see cref="SqliteLedgerStore.CheckpointPages"/> have accumulated since the last complete checkpoint, this thread runs
/// a PASSIVE checkpoint on its own connection.
/// </summary>
/// <remarks>
/// SQLite's auto-checkpoint ran inside the commit that crossed the threshold: the consensus thread read the frames
/// back, wrote every page again into <c>ledger.db</c> and fsynced it, ≈ 1/3 of the bytes a loaded commit path writes
/// (docs/benchmarks.md, "Issue 15: the ledger store's commit path"). A PASSIVE checkpoint takes no lock a writer or
/// reader waits for: it copies the frames no reader still needs while commits go on, and the writer restarts the log
/// once a checkpoint has copied all of it. Durability is unchanged: a commit is durable when its WAL frames are
/// fsynced (synchronous = FULL, on the writer); the checkpoint only copies committed frames, fsyncs the WAL before
/// and the main file after (synchronous = FULL here too), and a kill -9 in the middle leaves the WAL to be replayed
/// on open. Like the auto-checkpoint it replaces, it tries again after each later commit until one completes.
/// </remarks>
internal sealed class WalCheckpointer : IDisposable
{
    private const int CacheWrites = 9; // SQLITE_DBSTATUS_CACHE_WRITE: pages the connection wrote (to the WAL)

    private readonly sqlite3 _writer;
    private readonly SqliteConnection _connection;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly int _threshold;
    private long _pending, _completed;
    private volatile bool _stopping;

    public WalCheckpointer(SqliteConnection writer, SqliteConnection checkpointer, int threshold)
    {
        _writer = writer.Handle ?? throw new InvalidOperationException("the write connection is not open");
        _connection = checkpointer;
        _threshold = threshold;
        _thread = new Thread(Loop) { IsBackground = true, Name = "ledger WAL checkpoint" };
        _thread.Start();
    }

    /// <summary>Checkpoints that copied the whole log (for tests and diagnostics).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>For tests: waits until <paramref name="count"/> checkpoints have completed or the timeout passes.</summary>
    internal bool WaitForCompleted(long count, TimeSpan timeout)
    {
        lock (_wake)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (_completed < count)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_wake, left)) return _completed >= count;
            }
            return true;
        }
    }

    /// <summary>Frames appended since the last complete checkpoint.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Called by the writer after each commit, under the store's write lock.</summary>
    public void Committed()
    {
        // The counter is read and reset in one call: the frames this commit (and nothing else) appended. Never throws: the
        // block is already committed, and the store's tip must advance with it; a failed read only delays a checkpoint.
        if (raw.sqlite3_db_status(_writer, CacheWrites, out int written, out _, 1) != raw.SQLITE_OK) return;
        if (Interlocked.Add(ref _pending, written) >= _threshold && _wake.CurrentCount == 0)
        {
            try { _wake.Release(); }
            catch (SemaphoreFullException) { } // already signalled
        }
    }

    private void Loop()
    {
        var db = _connection.Handle!;
        while (true)
        {
            _wake.Wait();
            if (_stopping) return;
            long seen = Interlocked.Read(ref _pending);
            int rc = raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out int log, out int copied);
            // BUSY: another checkpoint is running (a reader connection closing). Either way the next commit retries.
            if (rc == raw.SQLITE_OK && log >= 0 && copied == log)
            {
                Interlocked.Add(ref _pending, -seen);
                lock (_wake)
                {
                    _completed++;
                    Monitor.PulseAll(_wake);
                }
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        try { _wake.Release(); }
        catch (SemaphoreFullException) { }
        _thread.Join();
        _wake.Dispose();
        _connection.Dispose();
    }
}
