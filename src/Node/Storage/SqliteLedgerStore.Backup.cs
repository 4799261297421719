using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Storage;

public sealed partial class SqliteLedgerStore
{
    /// <summary>
    /// Copies the ledger at <paramref name="path"/> to a new file <paramref name="destination"/> while a node may be
    /// committing to it, and returns the tip the copy holds. The copy is SQLite's online backup in one step inside one
    /// read transaction, so it is the store as of one commit: a block is in it whole or not at all. It is a reader: it
    /// takes no data-directory lock and never writes the source (query_only); under WAL the node's commits go on
    /// meanwhile, and a checkpoint only waits for the copy's snapshot to be released.
    /// </summary>
    public static (ulong Height, Hash32 AppHash) Backup(string path, string destination)
    {
        if (!File.Exists(path)) throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{path}' does not exist");
        if (File.Exists(destination)) throw new IOException($"{destination} already exists; a backup never overwrites a file");
        using (var source = Connect(path, SqliteOpenMode.ReadWrite))
        {
            Execute(source, "PRAGMA query_only = ON;");
            LedgerSchema.CreateOrVerify(source, path, create: false);
            using var copy = Connect(destination, SqliteOpenMode.ReadWriteCreate);
            source.BackupDatabase(copy);
        }
        using var check = Connect(destination, SqliteOpenMode.ReadWrite);
        var tip = LoadTip(check) ?? throw new LedgerStoreException(LedgerStoreError.NotALedgerStore, $"'{path}' holds no chain (not initialised)");
        return (tip.Height, tip.AppHash);
    }
}
