using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Hosting;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// Data directories of one chain whose genesis names <c>validators</c> validators (harness keys 60…), plus
/// <c>extra</c> nodes with keys outside the set; each node has a fixed free peer port, so every host can be told the
/// others' addresses before any starts. Hosts run in-process on free API ports; everything is deleted on dispose.
/// </summary>
public sealed class PeerCluster : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "p2pe-peers-" + Guid.NewGuid().ToString("N"));
    private readonly List<NodeHost?> _hosts = [];

    public PeerCluster(int validators, int extra = 0, Action<GenesisDocument>? genesis = null)
    {
        Keys = Enumerable.Range(0, validators + extra).Select(i => LedgerHarness.Key(60 + i)).ToList();
        Chain = new LedgerHarness(configure: g =>
        {
            g.Validators = Keys.Take(validators)
                .Select((k, i) => new GenesisValidator { Address = k.Address.ToString(), Power = 1, Operator = $"operator {i}", Role = "Independent" }).ToList();
            genesis?.Invoke(g);
        });
        Directory.CreateDirectory(_root);
        GenesisFile = Path.Combine(_root, "genesis.json");
        File.WriteAllText(GenesisFile, Chain.Document.ToJson());
        for (int i = 0; i < Keys.Count; i++)
        {
            var data = new DataDirectory(Path.Combine(_root, $"node-{i}"));
            NodeInitializer.Initialize(GenesisFile, data, NodeDirectory.Password, Keys[i], new ScryptKdf(1 << 10, 8, 1));
            Data.Add(data);
            NodeAddresses.Add(NodeKey.Read(data.NodeKeyFile).Address);
            _hosts.Add(null);
        }
        PeerPorts.AddRange(LoopbackPorts.Free(Keys.Count));
    }

    public LedgerHarness Chain { get; }
    public string GenesisFile { get; }
    public List<PrivateKey> Keys { get; }
    public List<DataDirectory> Data { get; } = [];
    public List<Address> NodeAddresses { get; } = [];
    public List<int> PeerPorts { get; } = [];

    public NodeHost Host(int i) => _hosts[i] ?? throw new InvalidOperationException($"node {i} is not running");

    /// <summary>
    /// Starts node <paramref name="i"/> dialing <paramref name="dials"/> (default: every other node), allowing the
    /// extra nodes' node keys as observers, with <paramref name="settings"/> on top; <paramref name="beforeStart"/> sees the
    /// host built but not yet started (to subscribe to its events).
    /// </summary>
    public async Task<NodeHost> StartAsync(int i, IEnumerable<int>? dials = null, IReadOnlyDictionary<string, string?>? settings = null, int heartbeatMs = 200,
        Action<NodeHost>? beforeStart = null)
    {
        var peers = (dials ?? Enumerable.Range(0, Keys.Count).Where(j => j != i)).Select(j => $"127.0.0.1:{PeerPorts[j]}");
        var all = new Dictionary<string, string?>
        {
            ["Node:DataDir"] = Data[i].Path, ["Node:Api:Port"] = "0", ["Node:HeartbeatMs"] = heartbeatMs.ToString(CultureInfo.InvariantCulture),
            ["Node:ConsensusNice"] = "0", ["Node:Peer:Port"] = PeerPorts[i].ToString(CultureInfo.InvariantCulture),
            ["Node:Peer:Peers"] = string.Join(",", peers), ["Node:Peer:ReconnectMaxMs"] = "1000",
            ["Node:Peer:Observers"] = string.Join(",", NodeAddresses.Skip(Chain.Document.Validators.Count)),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        // A port found free may be taken by another process before the host binds it: then another one (the nodes that
        // dial the old one are reached by this node's own dials instead).
        for (int attempt = 1; ; attempt++)
        {
            var host = NodeHost.Create(all, NodeDirectory.Password, new ShiftedClock(LedgerHarness.Genesis + TimeSpan.FromSeconds(10)));
            try
            {
                beforeStart?.Invoke(host);
                await host.StartAsync();
                _hosts[i] = host;
                return host;
            }
            catch (AddressInUseException) when (attempt < 3)
            {
                await host.DisposeAsync();
                PeerPorts[i] = LoopbackPorts.Free(1)[0];
                all["Node:Peer:Port"] = PeerPorts[i].ToString(CultureInfo.InvariantCulture);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    public async Task StopAsync(int i)
    {
        if (_hosts[i] is { } host)
        {
            _hosts[i] = null;
            await host.DisposeAsync();
        }
    }

    /// <summary>The height of the last block <paramref name="host"/> committed.</summary>
    public static ulong Height(NodeHost host) => host.Services.GetRequiredService<P2PEnergy.Node.Consensus.IConsensusEngine>().Height;

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds} s: {what()}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < _hosts.Count; i++) await StopAsync(i);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
    }
}
