using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node backup</c> and <c>restore</c>: a data directory in one tar file — a consistent online copy of
/// ledger.db (<see cref="SqliteLedgerStore.Backup"/>, taken while the node runs), the genesis and grid model it was
/// built from, the settings and the node key, and a manifest naming the height and app hash. The validator keystore
/// goes in only when asked: a second node restored with it and started beside the first would sign twice.
/// </summary>
public static class NodeBackup
{
    public const string ManifestName = "backup.json";
    /// <summary>Where a backup keeps the snapshot state an imported chain starts from (<see cref="StateRootAttestor.BaseFileOf"/>).</summary>
    private const string BaseStateName = StateRootAttestor.Directory + "/" + StateRootAttestor.BaseFileName;

    /// <summary>Writes the backup of <paramref name="dataDir"/> to <paramref name="archive"/> (a new file); returns the copied tip.</summary>
    public static (ulong Height, Hash32 AppHash) Create(DataDirectory dataDir, string archive, bool includeValidatorKey)
    {
        archive = Path.GetFullPath(archive);
        if (File.Exists(archive)) throw new NodeSetupException($"{archive} already exists; a backup never overwrites a file");
        var genesis = dataDir.ReadGenesis();
        var staging = Directory.CreateTempSubdirectory("p2pe-backup-");
        try
        {
            var ledgerCopy = Path.Combine(staging.FullName, Path.GetFileName(dataDir.LedgerFile));
            var (height, appHash) = SqliteLedgerStore.Backup(dataDir.LedgerFile, ledgerCopy);
            var manifest = new JsonObject
            {
                ["chainId"] = genesis.ChainId, ["height"] = height, ["appHash"] = appHash.ToString(),
                ["createdAt"] = DateTimeOffset.UtcNow.ToString("O"), ["validatorKey"] = includeValidatorKey,
            };
            using var output = new FileStream(archive, FileMode.CreateNew, FileAccess.Write);
            using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
            {
                var manifestEntry = new PaxTarEntry(TarEntryType.RegularFile, ManifestName)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n")),
                };
                tar.WriteEntry(manifestEntry);
                tar.WriteEntry(ledgerCopy, Path.GetFileName(dataDir.LedgerFile));
                foreach (var file in new[] { dataDir.GenesisFile, dataDir.GridModelFile, dataDir.SettingsFile, dataDir.NodeKeyFile })
                    if (File.Exists(file)) tar.WriteEntry(file, Path.GetFileName(file));
                if (includeValidatorKey) tar.WriteEntry(dataDir.ValidatorKeyFile, Path.GetFileName(dataDir.ValidatorKeyFile));
                // A chain imported from a snapshot replays from the state it started at: verify needs it after a restore.
                if (File.Exists(StateRootAttestor.BaseFileOf(dataDir))) tar.WriteEntry(StateRootAttestor.BaseFileOf(dataDir), BaseStateName);
            }
            output.Flush(flushToDisk: true);
            return (height, appHash);
        }
        catch
        {
            File.Delete(archive);
            throw;
        }
        finally { staging.Delete(recursive: true); }
    }

    /// <summary>
    /// Unpacks <paramref name="archive"/> into <paramref name="dataDir"/>, which must be missing or empty, and checks that
    /// the ledger belongs to the genesis beside it. Only the files a backup holds are taken; anything else in the archive
    /// (a path outside the directory included) is refused. Returns the manifest's height and whether a validator key came.
    /// </summary>
    public static (ulong Height, Hash32 AppHash, bool ValidatorKey) Restore(string archive, DataDirectory dataDir)
    {
        if (!File.Exists(archive)) throw new NodeSetupException($"backup {archive} does not exist");
        NodeInitializer.RequireEmpty(dataDir);
        NodeInitializer.CreateDirectory(dataDir);
        using var dataLock = DataDirectoryLock.Acquire(dataDir);
        NodeInitializer.RequireEmpty(dataDir);
        var allowed = new[] { ManifestName, "ledger.db", "genesis.json", "grid-model.json", NodeConfiguration.FileName, "node-key.json", "validator.json", BaseStateName };
        using (var input = File.OpenRead(archive))
        using (var tar = new TarReader(input))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType != TarEntryType.RegularFile || !allowed.Contains(entry.Name, StringComparer.Ordinal))
                    throw new NodeSetupException($"{archive} holds '{entry.Name}', which is not part of a p2pe-node backup");
                var path = Path.Combine(dataDir.Path, entry.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                entry.ExtractToFile(path, overwrite: false);
            }
        }
        var manifestFile = Path.Combine(dataDir.Path, ManifestName);
        if (!File.Exists(manifestFile) || !File.Exists(dataDir.LedgerFile) || !File.Exists(dataDir.GenesisFile))
            throw new NodeSetupException($"{archive} is not a p2pe-node backup (it lacks {ManifestName}, ledger.db or genesis.json)");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestFile))!;
        File.Delete(manifestFile);
        using var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
        if (store.GenesisHash != Keccak256.Hash(File.ReadAllBytes(dataDir.GenesisFile)))
            throw new NodeSetupException($"{archive}: its ledger was not initialised from its genesis.json");
        if (store.Height != (ulong)manifest["height"]! || store.AppHash.ToString() != (string?)manifest["appHash"])
            throw new NodeSetupException($"{archive}: the ledger is at height {store.Height} ({store.AppHash}), the manifest says {manifest["height"]} ({manifest["appHash"]})");
        return (store.Height, store.AppHash, File.Exists(dataDir.ValidatorKeyFile));
    }
}
