using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>The wall clock shifted so the node's BFT time starts just after the harness's fixed genesis.</summary>
public sealed class ShiftedClock(DateTimeOffset start) : TimeProvider
{
    private readonly TimeSpan _offset = start - TimeProvider.System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}

/// <summary>A data directory initialised from the harness genesis (validator = harness key 5), deleted on dispose.</summary>
public sealed class NodeDirectory : IDisposable
{
    public const string Password = "test-only-password";

    public LedgerHarness Chain { get; }
    public DataDirectory Data { get; }

    /// <summary>The genesis file the data directory was initialised from.</summary>
    public string GenesisFile { get; }

    /// <summary>
    /// A data directory for the harness genesis (edited by <paramref name="configure"/>); with <paramref name="gridModel"/>,
    /// genesis names that grid model.
    /// </summary>
    public NodeDirectory(byte[]? gridModel = null, Action<P2PEnergy.Node.Ledger.Genesis.GenesisDocument>? configure = null)
    {
        Chain = new LedgerHarness(configure: configure);
        var root = Path.Combine(Path.GetTempPath(), "p2pe-node-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var genesisFile = GenesisFile = Path.Combine(root, "genesis.json");
        var genesis = Chain.Document;
        if (gridModel is not null)
        {
            File.WriteAllBytes(Path.Combine(root, "grid.json"), gridModel);
            genesis.GridModelFile = "grid.json";
            genesis.GridModelHash = Keccak256.Hash(gridModel).ToString();
        }
        File.WriteAllText(genesisFile, genesis.ToJson());
        Data = new DataDirectory(Path.Combine(root, "data"));
        // A cheap scrypt: the standard parameters cost seconds per test for no extra coverage.
        NodeInitializer.Initialize(genesisFile, Data, Password, Chain.Validator, new ScryptKdf(1 << 10, 8, 1));
    }

    /// <summary>A host on free ports whose clock starts <paramref name="sinceGenesis"/> (default 10 s) after the harness genesis.</summary>
    public NodeHost CreateHost(int heartbeatMs = 200, TimeSpan? sinceGenesis = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Node:DataDir"] = Data.Path, ["Node:Api:Port"] = "0", ["Node:HeartbeatMs"] = heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return NodeHost.Create(all, Password, new ShiftedClock(LedgerHarness.Genesis + (sinceGenesis ?? TimeSpan.FromSeconds(10))));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(Data.Path)!, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
    }
}
