using Microsoft.Data.Sqlite;

namespace P2PEnergy.Node.Storage;

/// <summary>The prepared statements of the write connection: one per kind of row a commit writes.</summary>
internal sealed class WriteCommands : IDisposable
{
    public WriteCommands(SqliteConnection writer)
    {
        SetState = PreparedCommand.Create(writer,
            "INSERT INTO state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("$key", SqliteType.Text), ("$value", SqliteType.Blob));
        DeleteState = PreparedCommand.Create(writer, "DELETE FROM state WHERE key = $key", ("$key", SqliteType.Text));
        InsertChanges = PreparedCommand.Create(writer, "INSERT INTO block_changes (height, changes) VALUES ($height, $changes)",
            ("$height", SqliteType.Integer), ("$changes", SqliteType.Blob));
        InsertBlock = PreparedCommand.Create(writer, "INSERT INTO blocks (height, hash, header, block) VALUES ($height, $hash, $header, $block)",
            ("$height", SqliteType.Integer), ("$hash", SqliteType.Blob), ("$header", SqliteType.Blob), ("$block", SqliteType.Blob));
        InsertResult = PreparedCommand.Create(writer,
            "INSERT INTO transactions (height, idx, id, code, message, payload_id) VALUES ($height, $idx, $id, $code, $message, $payload)",
            ("$height", SqliteType.Integer), ("$idx", SqliteType.Integer), ("$id", SqliteType.Blob),
            ("$code", SqliteType.Text), ("$message", SqliteType.Text), ("$payload", SqliteType.Blob));
        InsertMeta = PreparedCommand.Create(writer,
            "INSERT INTO meta (id, genesis_hash, height, app_hash, last_block_hash) VALUES (1, $genesis, $height, $app, $last)",
            ("$genesis", SqliteType.Blob), ("$height", SqliteType.Integer), ("$app", SqliteType.Blob), ("$last", SqliteType.Blob));
        AdvanceMeta = PreparedCommand.Create(writer, "UPDATE meta SET height = $height, app_hash = $app, last_block_hash = $last WHERE id = 1",
            ("$height", SqliteType.Integer), ("$app", SqliteType.Blob), ("$last", SqliteType.Blob));
    }

    public SqliteCommand SetState { get; }
    public SqliteCommand DeleteState { get; }
    public SqliteCommand InsertChanges { get; }
    public SqliteCommand InsertBlock { get; }
    public SqliteCommand InsertResult { get; }
    public SqliteCommand InsertMeta { get; }
    public SqliteCommand AdvanceMeta { get; }

    /// <summary>Enlists every command in <paramref name="transaction"/>; Microsoft.Data.Sqlite requires it per command.</summary>
    public void Enlist(SqliteTransaction? transaction)
    {
        foreach (var command in All()) command.Transaction = transaction;
    }

    public void Dispose()
    {
        foreach (var command in All()) command.Dispose();
    }

    private IEnumerable<SqliteCommand> All() => [SetState, DeleteState, InsertChanges, InsertBlock, InsertResult, InsertMeta, AdvanceMeta];
}
