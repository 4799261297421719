using Microsoft.Data.Sqlite;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The prepared statements of the write connection for the rows a commit writes once (block, change set, meta);
/// the rows it writes per change and per transaction go through <see cref="StateWrites"/>.
/// </summary>
internal sealed class WriteCommands : IDisposable
{
    public WriteCommands(SqliteConnection writer)
    {
        InsertChanges = PreparedCommand.Create(writer, "INSERT INTO block_changes (height, changes) VALUES ($height, $changes)",
            ("$height", SqliteType.Integer), ("$changes", SqliteType.Blob));
        InsertBlock = PreparedCommand.Create(writer, "INSERT INTO blocks (height, hash, header, block) VALUES ($height, $hash, $header, $block)",
            ("$height", SqliteType.Integer), ("$hash", SqliteType.Blob), ("$header", SqliteType.Blob), ("$block", SqliteType.Blob));
        InsertMeta = PreparedCommand.Create(writer,
            "INSERT INTO meta (id, genesis_hash, height, app_hash, last_block_hash) VALUES (1, $genesis, $height, $app, $last)",
            ("$genesis", SqliteType.Blob), ("$height", SqliteType.Integer), ("$app", SqliteType.Blob), ("$last", SqliteType.Blob));
        AdvanceMeta = PreparedCommand.Create(writer, "UPDATE meta SET height = $height, app_hash = $app, last_block_hash = $last WHERE id = 1",
            ("$height", SqliteType.Integer), ("$app", SqliteType.Blob), ("$last", SqliteType.Blob));
    }

    public SqliteCommand InsertChanges { get; }
    public SqliteCommand InsertBlock { get; }
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

    private IEnumerable<SqliteCommand> All() => [InsertChanges, InsertBlock, InsertMeta, AdvanceMeta];
}
