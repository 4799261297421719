using System.Globalization;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// A validator network of real <c>p2pe-node run</c> processes on loopback: <c>validators</c> validators with equal power
/// (harness keys 70…) and, optionally, an observer (the last node), on a <see cref="LiveChain"/> genesis. Every node dials
/// every validator through its own <see cref="PeerProxy"/> (one per ordered pair), so a test can cut the links between
/// any two nodes — a partition — and heal them. Peer ports are fixed per node, so a node restarts where its peers dial.
/// Disposing kills every process (SIGKILL), stops the proxies and deletes the directories.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "p2pe-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly NodeProcess?[] _nodes;
    private readonly PeerProxy?[,] _proxies;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly IReadOnlyList<Address> _extraObservers;
    private readonly bool _observer;

    /// <remarks><paramref name="extraObservers"/>: node keys the validators also admit as observers (a test's own peer).</remarks>
    public ProcessCluster(int validators, bool observer, IReadOnlyDictionary<string, string>? settings = null, IReadOnlyList<Address>? extraObservers = null)
    {
        Validators = validators;
        _observer = observer;
        _extraObservers = extraObservers ?? [];
        _settings = settings ?? new Dictionary<string, string>();
        Keys = Enumerable.Range(0, validators).Select(i => LedgerHarness.Key(70 + i)).ToList();
        Chain.Document.Validators = Keys.Select((k, i) => new GenesisValidator { Address = k.Address.ToString(), Power = 1, Operator = $"operator {i}", Role = "Independent" }).ToList();
        int count = validators + (observer ? 1 : 0);
        _nodes = new NodeProcess?[count];
        _proxies = new PeerProxy?[count, count];
    }

    /// <summary>
    /// Makes every data directory. Validator 0 and the observer are made as docs/node.md says, by the real
    /// <c>p2pe-node init</c> (the observer with <c>--observer</c>); the other validators in-process with cheap scrypt, as
    /// every start decrypts the validator key and standard scrypt costs seconds of shared cores per restart.
    /// </summary>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        GenesisFile = Path.Combine(_root, "genesis.json");
        await File.WriteAllTextAsync(GenesisFile, Chain.Document.ToJson());
        PasswordFile = Path.Combine(_root, "password.txt");
        await File.WriteAllTextAsync(PasswordFile, NodeWorkspace.Password + "\n");
        for (int i = 0; i < _nodes.Length; i++)
        {
            var data = new DataDirectory(Path.Combine(_root, $"node-{i}"));
            if (i == 0 || i >= Validators)
            {
                var keyFile = Path.Combine(_root, $"validator-{i}.key");
                if (i == 0) await File.WriteAllTextAsync(keyFile, "0x" + Convert.ToHexStringLower(Keys[0].Bytes));
                string[] init = i == 0
                    ? ["init", "--genesis", GenesisFile, "--data-dir", data.Path, "--validator-key-file", keyFile, "--password-file", PasswordFile]
                    : ["init", "--genesis", GenesisFile, "--data-dir", data.Path, "--observer"];
                var (exit, output) = await NodeExecutable.RunAsync(init, _root, TimeSpan.FromSeconds(90));
                if (exit != 0) throw new InvalidOperationException($"p2pe-node {string.Join(' ', init)} exited {exit}: {output}");
            }
            else NodeInitializer.Initialize(GenesisFile, data, NodeWorkspace.Password, Keys[i], new ScryptKdf(1 << 10, 8, 1));
            DataDirs.Add(data.Path);
            NodeKeys.Add(NodeKey.Read(data.NodeKeyFile).Address);
        }
        // The nodes' peer ports are held while the proxies bind theirs (to port 0): a proxy once took a node's peer port,
        // released a moment before by the port search, and the node could not listen (CI).
        using var held = LoopbackPorts.Hold(_nodes.Length);
        PeerPorts.AddRange(held.Ports);
        for (int from = 0; from < _nodes.Length; from++)
            for (int to = 0; to < Validators; to++)
                if (from != to) _proxies[from, to] = new PeerProxy(PeerPorts[to]);
    }

    public LiveChain Chain { get; } = new();
    public int Validators { get; }
    public int Count => _nodes.Length;
    public int? Observer => _observer ? Count - 1 : null;
    public string GenesisFile { get; private set; } = "";
    public string PasswordFile { get; private set; } = "";
    public List<PrivateKey> Keys { get; }
    public List<string> DataDirs { get; } = [];
    public List<Address> NodeKeys { get; } = [];
    public List<int> PeerPorts { get; } = [];

    public NodeProcess Node(int i) => _nodes[i] ?? throw new InvalidOperationException($"node {i} is not running");
    public bool IsRunning(int i) => _nodes[i] is { HasExited: false };
    public GrpcChannel Channel(int i) => Node(i).Channel;
    public string LogFile(int i) => Path.Combine(_root, $"node-{i}.log");

    /// <summary>Starts every node that is not running, in parallel.</summary>
    public Task StartAllAsync() => Task.WhenAll(Enumerable.Range(0, Count).Where(i => !IsRunning(i)).Select(i => StartAsync(i)));

    /// <summary>Starts node <paramref name="i"/> on its data directory and peer port, dialing every validator through its proxies.</summary>
    public async Task StartAsync(int i) => await StartAsync(i, null);

    /// <summary>As <see cref="StartAsync(int)"/>, with <paramref name="environment"/> added for this start only (a test switch).</summary>
    public async Task StartAsync(int i, IReadOnlyDictionary<string, string>? environment)
    {
        var peers = Enumerable.Range(0, Validators).Where(j => j != i).Select(j => $"127.0.0.1:{_proxies[i, j]!.Port}");
        var settings = new Dictionary<string, string>
        {
            ["Peer__Port"] = PeerPorts[i].ToString(CultureInfo.InvariantCulture), ["Peer__Address"] = "127.0.0.1",
            ["Peer__Peers"] = string.Join(",", peers), ["Peer__Observers"] = string.Join(",", NodeKeys.Skip(Validators).Concat(_extraObservers)),
            ["Peer__ReconnectMaxMs"] = "1000",
        };
        foreach (var (name, value) in _settings) settings[name] = value;
        if (_nodes[i] is { } old) await old.DisposeAsync();
        // A peer port found free may still be taken (by any process) before the node binds it: then the node exits with
        // AddressInUse, and starts again on another port, every proxy in front of it retargeted.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                _nodes[i] = await NodeProcess.StartAsync(DataDirs[i], PasswordFile, LogFile(i), TimeSpan.FromSeconds(60), settings, environment);
                return;
            }
            catch (NodeDidNotStartException e) when (e.ExitCode == NodeExitCode.AddressInUse && attempt < 3)
            {
                PeerPorts[i] = LoopbackPorts.Free(1)[0];
                settings["Peer__Port"] = PeerPorts[i].ToString(CultureInfo.InvariantCulture);
                for (int from = 0; from < _nodes.Length; from++) _proxies[from, i]?.Retarget(PeerPorts[i]);
            }
        }
    }

    /// <summary>kill -9 of node <paramref name="i"/>.</summary>
    public void Kill(int i) => Node(i).Kill();

    /// <summary>Cuts every link between the two groups (both directions); links inside each group stay.</summary>
    public void Partition(IReadOnlyCollection<int> a, IReadOnlyCollection<int> b)
    {
        foreach (int x in a)
            foreach (int y in b)
            {
                _proxies[x, y]?.Cut();
                _proxies[y, x]?.Cut();
            }
    }

    /// <summary>Lets every link through again.</summary>
    public void Heal()
    {
        foreach (var proxy in _proxies) proxy?.Heal();
    }

    /// <summary>GetNodeStatus of every running node (null for a stopped one or one that does not answer in 5 s).</summary>
    public async Task<NodeStatus?[]> StatusesAsync() => await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
    {
        if (!IsRunning(i)) return null;
        try { return await Node(i).Channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5)); }
        catch (Grpc.Core.RpcException) { return null; }
    }));

    /// <summary>Heights of every node, "-" for one not answering, for failure messages.</summary>
    public async Task<string> HeightsAsync() => string.Join(", ", (await StatusesAsync()).Select((s, i) => $"node {i}: {(s is null ? "-" : s.Height.ToString(CultureInfo.InvariantCulture))}"));

    /// <summary>Waits until every node in <paramref name="nodes"/> has reached <paramref name="height"/>.</summary>
    public async Task WaitForHeightAsync(IEnumerable<int> nodes, ulong height, TimeSpan timeout)
    {
        var which = nodes.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var statuses = await StatusesAsync();
            if (which.All(i => statuses[i] is { } s && s.Height >= height)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nodes {string.Join(",", which)} not at height {height} within {timeout.TotalSeconds} s: {await HeightsAsync()}");
            await Task.Delay(250);
        }
    }

    /// <summary>The committed block at <paramref name="height"/> on node <paramref name="i"/>.</summary>
    public async Task<Block> BlockAsync(int i, ulong height)
    {
        using var call = Node(i).Channel.Ledger().StreamBlocks(new StreamBlocksRequest { FromHeight = height }, deadline: DateTime.UtcNow.AddSeconds(10));
        if (!await call.ResponseStream.MoveNext(CancellationToken.None)) throw new InvalidOperationException($"node {i} streamed no block from {height}");
        return call.ResponseStream.Current;
    }

    /// <summary>
    /// Asserts no two running nodes hold different blocks at any height from 1 to the lowest running height: the same
    /// header (so the same transactions and app hash) everywhere.
    /// </summary>
    public async Task AssertNoForkAsync()
    {
        var running = Enumerable.Range(0, Count).Where(IsRunning).ToList();
        var statuses = await StatusesAsync();
        ulong common = running.Min(i => statuses[i]?.Height ?? 0);
        var headers = await Task.WhenAll(running.Select(async i => await HeadersAsync(i, common)));
        for (int k = 1; k < headers.Length; k++)
            for (int h = 0; h < headers[0].Count; h++)
                if (!headers[k][h].Equals(headers[0][h]))
                    throw new Xunit.Sdk.XunitException($"fork at height {h + 1}: node {running[0]} has {headers[0][h]}, node {running[k]} has {headers[k][h]}");
    }

    private async Task<List<BlockHeader>> HeadersAsync(int i, ulong to)
    {
        var headers = new List<BlockHeader>();
        using var call = Node(i).Channel.Ledger().StreamBlocks(new StreamBlocksRequest { FromHeight = 1 }, deadline: DateTime.UtcNow.AddSeconds(30));
        while (headers.Count < (int)to && await call.ResponseStream.MoveNext(CancellationToken.None)) headers.Add(call.ResponseStream.Current.Header);
        return headers;
    }

    /// <summary>
    /// <c>p2pe-node verify</c> on every data directory (the nodes stopped first, so each store is as its node left it):
    /// each must replay; returns the (height, app hash) each reports.
    /// </summary>
    public async Task<List<(ulong Height, string AppHash)>> StopAndVerifyAllAsync()
    {
        foreach (var node in _nodes) if (node is not null) await node.TerminateAsync(TimeSpan.FromSeconds(20));
        var results = await Task.WhenAll(DataDirs.Select(d => NodeExecutable.RunAsync(["verify", "--data-dir", d], _root, TimeSpan.FromSeconds(90))));
        var verified = new List<(ulong, string)>();
        for (int i = 0; i < results.Length; i++)
        {
            var (exit, output) = results[i];
            var match = System.Text.RegularExpressions.Regex.Match(output, @"OK: (\d+) blocks replay to app hash (0x[0-9a-f]{64})");
            if (exit != 0 || !match.Success) throw new Xunit.Sdk.XunitException($"p2pe-node verify on node {i} exited {exit}:\n{output}");
            verified.Add((ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value));
        }
        return verified;
    }

    /// <summary>The tail of every node's log, for a failure message.</summary>
    public string LogTails(int lines = 25) => string.Join("\n", Enumerable.Range(0, Count).Select(i =>
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogFile(i), FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return $"--- node {i} ---\n" + string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException e) { return $"--- node {i}: {e.Message}"; }
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) if (node is not null) await node.DisposeAsync();
        foreach (var proxy in _proxies) if (proxy is not null) await proxy.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
    }
}
