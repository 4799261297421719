using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The per-row writes of a commit — set or delete a state key, record a transaction result — straight on SQLite's
/// statement API, on the write connection and inside its open transaction. Not thread-safe; the store's write lock
/// serialises calls.
/// </summary>
/// <remarks>
/// A block of 5,000 contracts writes ~25,000 rows. Through a prepared <see cref="SqliteCommand"/> each row built a
/// data reader, a statement enumerator and a binder per parameter, and converted every key to a fresh UTF-8 array:
/// ~1.5 KB of garbage per contract, collected while the consensus thread waited. Here a row is bind, step, reset.
/// SQLite copies bound values (SQLITE_TRANSIENT), so the key buffer is reused. Statements are reset in a finally so a
/// failed step never leaves one mid-execution inside the transaction that is about to roll back.
/// </remarks>
internal sealed class StateWrites : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _set, _delete, _result;

    public StateWrites(SqliteConnection writer)
    {
        _db = writer.Handle ?? throw new InvalidOperationException("the write connection is not open");
        _set = Prepare("INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        _delete = Prepare("DELETE FROM state WHERE key = ?1");
        _result = Prepare("INSERT INTO transactions (height, idx, id, code, message, payload_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    }

    private sqlite3_stmt Prepare(string sql)
    {
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement), _db);
        return statement;
    }

    public void Set(string key, ReadOnlySpan<byte> value)
    {
        try
        {
            BindText(_set, 1, key);
            // An empty span binds a zero-length blob, not NULL (index entries hold an empty value; the column is NOT NULL).
            Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(_set, 2, 0) : raw.sqlite3_bind_blob(_set, 2, value));
            Step(_set);
        }
        finally { raw.sqlite3_reset(_set); }
    }

    public void Delete(string key)
    {
        try
        {
            BindText(_delete, 1, key);
            Step(_delete);
        }
        finally { raw.sqlite3_reset(_delete); }
    }

    public void InsertResult(long height, long index, ReadOnlySpan<byte> id, string code, string message, ReadOnlySpan<byte> payloadId)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(_result, 1, height));
            Check(raw.sqlite3_bind_int64(_result, 2, index));
            Check(raw.sqlite3_bind_blob(_result, 3, id));
            BindText(_result, 4, code);
            BindText(_result, 5, message);
            Check(payloadId.IsEmpty ? raw.sqlite3_bind_zeroblob(_result, 6, 0) : raw.sqlite3_bind_blob(_result, 6, payloadId));
            Step(_result);
        }
        finally { raw.sqlite3_reset(_result); }
    }

    private void BindText(sqlite3_stmt statement, int index, string text) => Check(SqliteText.Bind(statement, index, text));

    private void Step(sqlite3_stmt statement)
    {
        int rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose()
    {
        _set.Dispose();
        _delete.Dispose();
        _result.Dispose();
    }
}
