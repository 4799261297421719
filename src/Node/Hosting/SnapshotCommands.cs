using System.CommandLine;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Hosting;

/// <summary><c>p2pe-node snapshot export | import | sync</c> (<see cref="SnapshotArchive"/>, <see cref="SnapshotSync"/>).</summary>
public static class SnapshotCommands
{
    internal static Command Build(Option<string> dataDir, Option<string?> passwordFile, Option<string?> validatorKey)
    {
        var height = new Option<ulong>("--height") { Description = "A certified snapshot height (a multiple of genesis snapshotIntervalBlocks)", Required = true };
        var to = new Option<string>("--to") { Description = "The snapshot file to write (a tar; never overwritten)", Required = true };
        var export = new Command("export", "Write the state at a certified height, its block and its certificate to one file (beside a running node)") { dataDir, height, to };
        export.SetAction(result => NodeCli.Guard(() =>
        {
            var header = SnapshotArchive.Export(new DataDirectory(result.GetValue(dataDir)!), result.GetValue(height), result.GetValue(to)!);
            Console.WriteLine($"exported height {header.Height}: state root {header.StateRoot}, app hash {header.AppHash}, {header.Entries} entries, to {Path.GetFullPath(result.GetValue(to)!)}");
            return Task.FromResult(NodeExitCode.Ok);
        }));

        var from = new Option<string>("--from") { Description = "The snapshot file", Required = true };
        var genesis = new Option<string>("--genesis") { Description = "The chain's genesis: the validator set it names is the set the snapshot must be certified by", Required = true };
        var trustedValidators = new Option<string?>("--trusted-validators") { Description = "A JSON file {\"validators\": [{\"address\", \"power\"}]}: the set in force at the snapshot's height to check it against, instead of genesis's (a chain whose set changed)" };
        var observer = new Option<bool>("--observer") { Description = "Start an observer's data directory (no validator key, no password), as init --observer does" };
        var import = new Command("import", "Check a snapshot against the genesis validators and start a new data directory from it") { from, genesis, dataDir, passwordFile, validatorKey, observer, trustedValidators };
        import.SetAction(result => NodeCli.Guard(() =>
        {
            var directory = new DataDirectory(result.GetValue(dataDir)!);
            var key = result.GetValue(validatorKey) is { } keyFile ? PrivateKey.Parse(File.ReadAllText(keyFile).Trim()) : null;
            bool asObserver = result.GetValue(observer);
            // An observer holds no validator key, so it needs no password.
            var password = asObserver ? "" : DataDirectory.ReadPassword(result.GetValue(passwordFile));
            var header = SnapshotArchive.Import(result.GetValue(from)!, result.GetValue(genesis)!, directory, password, key, asObserver, result.GetValue(trustedValidators));
            Console.WriteLine($"imported height {header.Height} (state root {header.StateRoot}, app hash {header.AppHash}) into {directory.Path}; blocks before {header.Height} are not in it");
            Console.WriteLine($"next: set Node:Peer:Peers to the validators' peer addresses and run it: block sync fetches the blocks after {header.Height}"
                + (asObserver ? $" once the validators list its node key {NodeKey.Read(directory.NodeKeyFile).Address} in Node:Peer:Observers" : ""));
            return Task.FromResult(NodeExitCode.Ok);
        }));
        var fromLedger = new Option<string>("--from-ledger") { Description = "Another node's ledger.db of the same chain (read beside it while it runs)", Required = true };
        var sync = new Command("sync", "Apply the blocks after this stopped node's tip from another node's ledger, each checked (commit quorum, app hash)") { dataDir, fromLedger };
        sync.SetAction(result => NodeCli.Guard(() =>
        {
            var (first, last) = SnapshotSync.CatchUp(new DataDirectory(result.GetValue(dataDir)!), result.GetValue(fromLedger)!);
            Console.WriteLine(last >= first ? $"applied blocks {first}..{last}; now at height {last}" : $"nothing to apply; at height {last}");
            return Task.FromResult(NodeExitCode.Ok);
        }));
        return new Command("snapshot", "State snapshots at certified heights, for a node that starts without replaying from genesis") { export, import, sync };
    }
}
