using Microsoft.Data.Sqlite;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// A SqliteCommand built once with its parameters and reused: SQLite compiles the statement on first use and keeps
/// it, so the hot paths (point reads, per-change writes) only rebind values.
/// </summary>
internal static class PreparedCommand
{
    public static SqliteCommand Create(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
        command.Prepare();
        return command;
    }
}
