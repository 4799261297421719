using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node init</c>: a fresh data directory holding the genesis, the validator keystore (none for an observer), the
/// node key, a commented appsettings.json and the genesis state.
/// </summary>
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
        if (password.Length == 0) throw new NodeSetupException("the validator password is empty");
        return Create(genesisFile, dataDir, genesis => WriteNodeFiles(genesisFile, genesis, dataDir, password, importKey, kdf))!.Value;
    }

    /// <summary>
    /// <c>p2pe-node init --observer</c>: like <see cref="Initialize"/> (genesis, node key, genesis state) but with no
    /// validator key and settings with <c>Node:Observer</c> true, so <c>p2pe-node run</c> follows and re-executes every
    /// block, signs nothing and refuses writes. Needs no password.
    /// </summary>
    public static void InitializeObserver(string genesisFile, DataDirectory dataDir)
        => Create(genesisFile, dataDir, genesis => (null, WriteObserverFiles(genesisFile, genesis, dataDir)));

    private static Address? Create(string genesisFile, DataDirectory dataDir, Func<GenesisDocument, (PrivateKey? Key, byte[]? GridModel)> writeFiles)
    {
        if (!File.Exists(genesisFile)) throw new NodeSetupException($"genesis file {genesisFile} does not exist");
        RequireEmpty(dataDir);
        GenesisDocument genesis;
        try { genesis = GenesisDocument.Parse(File.ReadAllText(genesisFile)); }
        catch (GenesisException e) { throw new NodeSetupException($"{genesisFile}: {e.Message}"); }

        CreateDirectory(dataDir);
        using var dataLock = DataDirectoryLock.Acquire(dataDir);
        RequireEmpty(dataDir); // again under the lock: another init may have written it since the check above
        var (key, gridModel) = writeFiles(genesis);
        Directory.CreateDirectory(dataDir.ConsensusDirectory);
        (IReadOnlyList<Ledger.State.StateChange> changes, Hash32 appHash) built;
        try { built = GenesisState.Build(genesis, gridModel); }
        catch (GenesisException e) { throw new NodeSetupException($"{genesisFile}: {e.Message}"); }
        var (changes, appHash) = built;
        using var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
        store.InitializeGenesis(Keccak256.Hash(File.ReadAllBytes(dataDir.GenesisFile)), changes, appHash);
        return key?.Address;
    }

    /// <summary>
    /// The files of a new node besides its ledger (shared with snapshot import): the genesis copied verbatim, the grid
    /// model it names, the validator keystore (<paramref name="importKey"/> or a fresh key), the node key and the commented
    /// settings. Returns the validator key and the grid model's bytes (null when genesis names none).
    /// </summary>
    internal static (PrivateKey Key, byte[]? GridModel) WriteNodeFiles(string genesisFile, GenesisDocument genesis, DataDirectory dataDir, string password,
        PrivateKey? importKey, KeystoreKdf? kdf = null)
    {
        if (password.Length == 0) throw new NodeSetupException("the validator password is empty");
        var gridModel = WriteSharedFiles(genesisFile, genesis, dataDir, settings: null);
        var key = importKey ?? PrivateKey.Generate();
        File.WriteAllText(dataDir.ValidatorKeyFile, Keystore.Encrypt(key.Bytes, password, kdf).ToJson());
        return (key, gridModel);
    }

    /// <summary>An observer's files besides its ledger (shared with snapshot import --observer): no validator key, Node:Observer true.</summary>
    internal static byte[]? WriteObserverFiles(string genesisFile, GenesisDocument genesis, DataDirectory dataDir)
        => WriteSharedFiles(genesisFile, genesis, dataDir, new NodeOptions { Observer = true });

    // Every node's files but the validator key: the genesis copied verbatim, the node key, the settings and the grid model.
    private static byte[]? WriteSharedFiles(string genesisFile, GenesisDocument genesis, DataDirectory dataDir, NodeOptions? settings)
    {
        // The genesis bytes are copied verbatim: its hash identifies the chain, and re-serialising could change it.
        File.Copy(genesisFile, dataDir.GenesisFile);
        NodeKey.Generate(dataDir.NodeKeyFile);
        File.WriteAllText(dataDir.SettingsFile, AppSettingsTemplate.Render(settings));
        if (genesis.GridModelFile is null) return null;
        // Relative to the genesis file; copied in beside it so verify and run never depend on the original path.
        var source = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(genesisFile))!, genesis.GridModelFile);
        if (!File.Exists(source)) throw new NodeSetupException($"grid model file {source} (gridModelFile of {genesisFile}) does not exist");
        var gridModel = File.ReadAllBytes(source);
        File.WriteAllBytes(dataDir.GridModelFile, gridModel);
        return gridModel;
    }

    /// <summary>Creates the directory (when missing) readable by its owner only: it holds keys.</summary>
    internal static void CreateDirectory(DataDirectory dataDir)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dataDir.Path);
        else Directory.CreateDirectory(dataDir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>A left-over LOCK file (of an earlier init that failed) does not make a directory a node's.</summary>
    internal static void RequireEmpty(DataDirectory dataDir)
    {
        if (Directory.Exists(dataDir.Path) && Directory.EnumerateFileSystemEntries(dataDir.Path).Any(e => Path.GetFileName(e) != DataDirectoryLock.FileName))
            throw new NodeSetupException($"data directory {dataDir.Path} is not empty; init, restore and snapshot import only create new nodes");
    }
}
