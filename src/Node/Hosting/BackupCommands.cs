using System.CommandLine;

namespace P2PEnergy.Node.Hosting;

/// <summary><c>p2pe-node backup</c> and <c>restore</c> (<see cref="NodeBackup"/>).</summary>
public static class BackupCommands
{
    internal static IEnumerable<Command> Build(Option<string> dataDir)
    {
        var to = new Option<string>("--to") { Description = "The backup file to write (a tar; never overwritten)", Required = true };
        var withKey = new Option<bool>("--include-validator-key") { Description = "Also copy the validator keystore (encrypted; never start two nodes with it)" };
        var backup = new Command("backup", "Copy the data directory to one file while the node runs (a consistent online copy of the ledger)") { dataDir, to, withKey };
        backup.SetAction(result => NodeCli.Guard(() =>
        {
            var (height, appHash) = NodeBackup.Create(new DataDirectory(result.GetValue(dataDir)!), result.GetValue(to)!, result.GetValue(withKey));
            Console.WriteLine($"backed up height {height} (app hash {appHash}) to {Path.GetFullPath(result.GetValue(to)!)}");
            return Task.FromResult(NodeExitCode.Ok);
        }));

        var from = new Option<string>("--from") { Description = "The backup file", Required = true };
        var restore = new Command("restore", "Unpack a backup into a new (missing or empty) data directory") { from, dataDir };
        restore.SetAction(result => NodeCli.Guard(() =>
        {
            var directory = new DataDirectory(result.GetValue(dataDir)!);
            var (height, appHash, validatorKey) = NodeBackup.Restore(result.GetValue(from)!, directory);
            Console.WriteLine($"restored height {height} (app hash {appHash}) into {directory.Path}; check it with: p2pe-node verify --data-dir {directory.Path}");
            if (!validatorKey)
                Console.Error.WriteLine($"note: the backup holds no validator key; to run this node as the validator copy validator.json from your key backup into {directory.Path} (and stop the node it came from)");
            return Task.FromResult(NodeExitCode.Ok);
        }));
        return [backup, restore];
    }
}
