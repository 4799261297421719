using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Engine;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Consensus.Simulation;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Consensus.Cluster;

/// <summary>
/// Validators of one ledger chain in one process, each the node's real consensus path (<see cref="InProcessNode"/>: the
/// ledger application over its own SQLite store, its own mempool, its consensus log and last-signed guard on disk, all in
/// a temporary directory), over <see cref="ClusterNetwork"/>, driven by one seeded scheduler on a virtual clock. The
/// simulation's <see cref="Checker"/> watches every commit and every signed message. Nodes beyond the genesis validators
/// run with a key but no power until a SetValidatorSet gives them some.
/// </summary>
public sealed class LedgerCluster : IDisposable
{
    // On tmpfs where there is one: the stores and logs are real files, but their fsyncs (a few per block per node) cost
    // nothing, so a run is bound by the CPU, not by a shared disk.
    private readonly string _root = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "p2pe-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<Address, int> _indexOf = [];

    /// <summary>
    /// <paramref name="validators"/> genesis validators and <paramref name="extraNodes"/> more; <paramref name="walStorage"/>
    /// may keep a node's consensus directory elsewhere than on disk (null: on disk), e.g. in a crashable memory storage.
    /// Node <paramref name="byzantine"/> (if any) equivocates (DriverOptions.Equivocate). Every node reports the evidence
    /// it finds as the node's host does (<see cref="EvidenceReporter"/>), through its mempool and the transaction gossip.
    /// </summary>
    public LedgerCluster(int validators, ulong seed, int extraNodes = 0, long heartbeatMs = 1000, Func<int, IWalStorage?>? walStorage = null, int? byzantine = null)
    {
        Seed = seed;
        var random = new SimRandom(seed);
        Keys = Enumerable.Range(0, validators + extraNodes).Select(i => LedgerHarness.Key(60 + i)).ToList();
        Chain = new LedgerHarness(configure: g => g.Validators = Keys.Take(validators)
            .Select((k, i) => new GenesisValidator { Address = k.Address.ToString(), Power = 1, Operator = $"operator {i}", Role = "Independent" }).ToList());
        Genesis = Chain.Document;
        Scheduler = new Scheduler(LedgerHarness.Genesis.AddSeconds(10).ToUnixTimeMilliseconds());
        Clock = new VirtualClock(Scheduler);
        Network = new ClusterNetwork(this, random.Fork());
        Checker = new Checker(LedgerHarness.ChainId, (digest, signature) => Signer.Recover(digest, signature));
        Options = new DriverOptions(LedgerHarness.ChainId, heartbeat: TimeSpan.FromMilliseconds(heartbeatMs));
        var (changes, appHash) = GenesisState.Build(Genesis);
        var genesisHash = Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(Genesis.ToJson()));
        for (int i = 0; i < Keys.Count; i++)
        {
            int index = i;
            _indexOf[Keys[i].Address] = i;
            var directory = new DataDirectory(Path.Combine(_root, $"node-{i}"));
            Directory.CreateDirectory(directory.Path);
            using (var store = SqliteLedgerStore.Open(directory.LedgerFile)) store.InitializeGenesis(genesisHash, changes, appHash);
            var options = i == byzantine ? new DriverOptions(LedgerHarness.ChainId, heartbeat: TimeSpan.FromMilliseconds(heartbeatMs)) { Equivocate = true } : Options;
            var node = new InProcessNode(Chain.Parameters, () => SqliteLedgerStore.Open(directory.LedgerFile), walStorage?.Invoke(i) ?? new FileWalStorage(directory.ConsensusDirectory),
                Keys[i], Scheduler, Clock, Network.For(i), options, grid: () => new GridAdmission(new FlowBookCache()), random: random.Fork()); // the grid stage the node runs (NodeHost), so verify replays the same
            node.Committed += (n, block) => Checker.Committed(index, block, Hash32.FromBytes(block.Header.AppHash.Span), n.App.ValidatorsAt(block.Header.Height));
            node.Signed += (_, message) => Checker.Signed(index, message);
            var reporter = new EvidenceReporter(LedgerHarness.ChainId, Keys[i], bytes =>
            {
                var verdict = Nodes[index].Mempool.Submit(bytes);
                if (verdict.Accepted) Network.Gossip(index, bytes);
                return verdict;
            }, work => Scheduler.After(0, work), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            node.EvidenceFound += (_, evidence) => reporter.Report(evidence);
            Reporters.Add(reporter);
            Nodes.Add(node);
            Directories.Add(directory);
        }
    }

    public ulong Seed { get; }
    public LedgerHarness Chain { get; }
    public GenesisDocument Genesis { get; }
    public List<PrivateKey> Keys { get; }
    public Scheduler Scheduler { get; }
    public VirtualClock Clock { get; }
    public ClusterNetwork Network { get; }
    public Checker Checker { get; }
    public DriverOptions Options { get; }
    public List<InProcessNode> Nodes { get; } = [];
    public List<DataDirectory> Directories { get; } = [];
    public List<EvidenceReporter> Reporters { get; } = [];

    public Address AddressOf(int node) => Keys[node].Address;

    public int IndexOf(Address address) => _indexOf[address];

    public void Start()
    {
        foreach (var node in Nodes) node.Boot();
    }

    /// <summary>Submits a transaction to one node's mempool, which gossips it on when it accepts it.</summary>
    public bool Submit(int node, Transaction transaction)
    {
        var bytes = transaction.ToByteArray();
        var verdict = Nodes[node].Mempool.Submit(bytes);
        if (verdict.Accepted) Network.Gossip(node, bytes);
        return verdict.Accepted;
    }

    /// <summary>Runs the scheduler until <paramref name="done"/> holds (true) or <paramref name="limit"/> of virtual time passed (false).</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        if (done()) return true;
        return Scheduler.RunUntil(Scheduler.Now + (long)limit.TotalMilliseconds, () => done() || Checker.Violated) && !Checker.Violated;
    }

    /// <summary>Runs until every running node stored <paramref name="height"/>.</summary>
    public bool RunUntilHeight(ulong height, TimeSpan limit, IEnumerable<int>? nodes = null)
    {
        var which = (nodes ?? Enumerable.Range(0, Nodes.Count)).ToList();
        return RunUntil(() => which.All(i => Nodes[i].Store.Height >= height), limit);
    }

    public void Crash(int node) => Nodes[node].Crash();

    public void Restart(int node) => Nodes[node].Boot();

    /// <summary>p2pe-node verify on every node's store: null for each store that replays exactly from genesis.</summary>
    public IReadOnlyList<string?> Verify() => Nodes.Select(n => ChainVerifier.Verify(Genesis, n.Store)).ToList();

    /// <summary>p2pe-node verify on one node's store.</summary>
    public string? Verify(int node) => ChainVerifier.Verify(Genesis, Nodes[node].Store);

    /// <summary>Failures so far, with the seed that replays them.</summary>
    public string Report() => $"seed {Seed}: {string.Join("; ", Checker.Violations)} (heights {string.Join(", ", Nodes.Select(n => n.Store.Height))})";

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Driver?.Dispose();
            node.Store.Dispose();
        }
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
