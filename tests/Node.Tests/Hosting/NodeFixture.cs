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

    public LedgerHarness Chain { get; } = new();
    public DataDirectory Data { get; }

    public NodeDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), "p2pe-node-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var genesisFile = Path.Combine(root, "genesis.json");
        File.WriteAllText(genesisFile, Chain.Document.ToJson());
        Data = new DataDirectory(Path.Combine(root, "data"));
        // A cheap scrypt: the standard parameters cost seconds per test for no extra coverage.
        NodeInitializer.Initialize(genesisFile, Data, Password, Chain.Validator, new ScryptKdf(1 << 10, 8, 1));
    }

    /// <summary>A host on this directory, on a free port; <paramref name="overrides"/> add settings as the command line would.</summary>
    public NodeHost CreateHost(int heartbeatMs = 200, Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?> { ["Node:DataDir"] = Data.Path, ["Node:Port"] = "0", ["Node:HeartbeatMs"] = heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in overrides ?? []) settings[key] = value;
        return NodeHost.Create(settings, Password, new ShiftedClock(LedgerHarness.Genesis.AddSeconds(10)));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(Data.Path)!, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
    }
}
