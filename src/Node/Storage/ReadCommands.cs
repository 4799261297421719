using Microsoft.Data.Sqlite;

namespace P2PEnergy.Node.Storage;

/// <summary>The prepared statements of the read connection.</summary>
internal sealed class ReadCommands : IDisposable
{
    public ReadCommands(SqliteConnection reader)
    {
        Get = new StatePointRead(reader);
        // Range predicates on the primary key are what lets SQLite walk the b-tree from the prefix on; a LIKE or
        // substr() test would scan the table (and LIKE is case-insensitive besides).
        ScanRange = PreparedCommand.Create(reader, "SELECT key, value FROM state WHERE key >= $from AND key < $end ORDER BY key LIMIT $limit",
            ("$from", SqliteType.Text), ("$end", SqliteType.Text), ("$limit", SqliteType.Integer));
        ScanToEnd = PreparedCommand.Create(reader, "SELECT key, value FROM state WHERE key >= $from ORDER BY key LIMIT $limit",
            ("$from", SqliteType.Text), ("$limit", SqliteType.Integer));
        GetBlock = PreparedCommand.Create(reader, "SELECT block FROM blocks WHERE height = $height", ("$height", SqliteType.Integer));
        GetResults = PreparedCommand.Create(reader, "SELECT id, code, message, payload_id FROM transactions WHERE height = $height ORDER BY idx",
            ("$height", SqliteType.Integer));
        FindTransaction = PreparedCommand.Create(reader,
            "SELECT height, id, code, message, payload_id FROM transactions WHERE id = $id ORDER BY height, idx LIMIT 1",
            ("$id", SqliteType.Blob));
        GetChanges = PreparedCommand.Create(reader, "SELECT changes FROM block_changes WHERE height = $height",
            ("$height", SqliteType.Integer));
    }

    public StatePointRead Get { get; }
    public SqliteCommand ScanRange { get; }
    public SqliteCommand ScanToEnd { get; }
    public SqliteCommand GetBlock { get; }
    public SqliteCommand GetResults { get; }
    public SqliteCommand FindTransaction { get; }
    public SqliteCommand GetChanges { get; }

    public void Dispose()
    {
        Get.Dispose();
        foreach (var command in new[] { ScanRange, ScanToEnd, GetBlock, GetResults, FindTransaction, GetChanges }) command.Dispose();
    }
}
