using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary><c>p2pe-node init</c>: a fresh data directory holding the genesis, the validator keystore and the genesis state.</summary>
public static class NodeInitializer
{
    /// <summary>
    /// Initialises <paramref name="dataDir"/>, which must be missing or empty (never overwrite a chain or a key), holding
    /// its lock (<see cref="DataDirectoryLock"/>) while it writes, so it cannot race a node or another init.
    /// <paramref name="importKey"/> imports an existing validator key instead of generating one; <paramref name="kdf"/>
    /// defaults to the standard scrypt parameters. Returns the validator address.
    /// </summary>
    public static Address Initialize(string genesisFile, DataDirectory dataDir, string password, PrivateKey? importKey = null, KeystoreKdf? kdf = null)
    {
        if (!File.Exists(genesisFile)) throw new NodeSetupException($"genesis file {genesisFile} does not exist");
        RequireEmpty(dataDir);
        if (password.Length == 0) throw new NodeSetupException("the validator password is empty");
        var json = File.ReadAllText(genesisFile);
        GenesisDocument genesis;
        try { genesis = GenesisDocument.Parse(json); }
        catch (GenesisException e) { throw new NodeSetupException($"{genesisFile}: {e.Message}"); }

        Directory.CreateDirectory(dataDir.Path);
        using var dataLock = DataDirectoryLock.Acquire(dataDir);
        RequireEmpty(dataDir); // again under the lock: another init may have written it since the check above
        // The genesis bytes are copied verbatim: its hash identifies the chain, and re-serialising could change it.
        File.WriteAllText(dataDir.GenesisFile, json);
        var key = importKey ?? PrivateKey.Generate();
        File.WriteAllText(dataDir.ValidatorKeyFile, Keystore.Encrypt(key.Bytes, password, kdf).ToJson());
        Directory.CreateDirectory(dataDir.ConsensusDirectory);
        byte[]? gridModel = null;
        if (genesis.GridModelFile is not null)
        {
            // Relative to the genesis file; copied in beside it so verify and run never depend on the original path.
            var source = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(genesisFile))!, genesis.GridModelFile);
            if (!File.Exists(source)) throw new NodeSetupException($"grid model file {source} (gridModelFile of {genesisFile}) does not exist");
            gridModel = File.ReadAllBytes(source);
            File.WriteAllBytes(dataDir.GridModelFile, gridModel);
        }
        (IReadOnlyList<Ledger.State.StateChange> changes, Hash32 appHash) built;
        try { built = GenesisState.Build(genesis, gridModel); }
        catch (GenesisException e) { throw new NodeSetupException($"{genesisFile}: {e.Message}"); }
        var (changes, appHash) = built;
        using var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
        store.InitializeGenesis(Keccak256.Hash(File.ReadAllBytes(dataDir.GenesisFile)), changes, appHash);
        return key.Address;
    }

    /// <summary>A left-over LOCK file (of an earlier init that failed) does not make a directory a node's.</summary>
    private static void RequireEmpty(DataDirectory dataDir)
    {
        if (Directory.Exists(dataDir.Path) && Directory.EnumerateFileSystemEntries(dataDir.Path).Any(e => Path.GetFileName(e) != DataDirectoryLock.FileName))
            throw new NodeSetupException($"data directory {dataDir.Path} is not empty; init only creates new nodes");
    }
}
