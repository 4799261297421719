using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The node's settings (section <c>Node</c>): from the defaults here, <c>appsettings.json</c> in the data directory,
/// <c>P2PE_Node__*</c> environment variables and the command line, later wins (<see cref="NodeConfiguration"/>). Each
/// setting's [Description] is the text <c>p2pe-node init</c> writes above it and <c>config show</c> prints; a [Range]
/// is checked at start, the rules between settings in <see cref="Validate"/>.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    [Description("Directory made by p2pe-node init: genesis.json, validator.json, node-key.json, ledger.db, appsettings.json (--data-dir)")]
    public string DataDir { get; set; } = "";

    [Description("Run as an observer: follow and re-execute every block, sign nothing, serve reads and refuse writes (READ_ONLY_NODE); needs no validator key or password (p2pe-node init --observer sets it)")]
    public bool Observer { get; set; }

    [Description("Public API: gRPC and gRPC-Web for wallets, devices and explorers")]
    public ApiEndpointOptions Api { get; set; } = new();

    [Description("Peer endpoint and peer network: validators and observers (on when Peers or Observers is set)")]
    public PeerEndpointOptions Peer { get; set; } = new();

    [Description("Operations endpoint: /healthz, /readyz and /metrics over HTTP/1.1 (and HTTP/2 with TLS)")]
    public OperationsEndpointOptions Operations { get; set; } = new();

    [Description("Longest gap between blocks on an idle chain, in ms, so BFT time keeps moving")]
    [Range(1, 3_600_000)]
    public long HeartbeatMs { get; set; } = 1000;

    [Description("/readyz and grpc.health.v1 report not ready after this many heartbeats without a committed block (at least 10 s)")]
    [Range(1, 1000)]
    public int ReadyWithinHeartbeats { get; set; } = 5;

    [Description("Most transactions this node puts in a block it proposes")]
    [Range(1, P2PEnergy.Node.Consensus.Application.BlockLimits.MaxTransactions)]
    public int MaxBlockTransactions { get; set; } = 5000;

    [Description("Most transactions waiting in the mempool; further submissions get MEMPOOL_FULL")]
    [Range(1, 10_000_000)]
    public int MempoolMaxTransactions { get; set; } = 100_000;

    [Description("Linux nice value of the consensus thread (lower runs first; 0 = as every other thread). Negative values need CAP_SYS_NICE, else a warning and normal priority")]
    [Range(-20, 0)]
    public int ConsensusNice { get; set; } = -10;

    [Description("On SIGTERM or Ctrl+C, how long the block in progress and the calls in flight may take before they are abandoned, in ms")]
    [Range(0, 60_000)]
    public int ShutdownGraceMs { get; set; } = 2000;

    [Description("Console log format: text (one line per entry) or json (one JSON object per line, for log collectors)")]
    [AllowedValues("text", "json")]
    public string LogFormat { get; set; } = "text";

    [Description("A validator signs and submits AttestStateRoot at every genesis snapshotIntervalBlocks height (docs/operator.md \"Snapshots\")")]
    public bool AttestStateRoots { get; set; } = true;

    [Description("State snapshot files kept in DATA_DIR/snapshots, newest first, for snapshot export (0 = write none)")]
    [Range(0, 1000)]
    public int SnapshotsKept { get; set; } = 2;

    [Description("Consensus: the Tendermint timeouts (base and growth per round, capped), the BFT-time drift bound and the gossip interval; every validator of a chain should use the same")]
    public ConsensusOptions Consensus { get; set; } = new();

    [Description("Anchoring the chain on an EVM contract (docs/anchoring.md); off unless EvmRpcUrl is set")]
    public Anchoring.AnchorOptions Anchor { get; set; } = new();

    /// <summary>How long without a commit counts as not ready: <see cref="ReadyWithinHeartbeats"/> heartbeats, at least 10 s.</summary>
    public TimeSpan StaleAfter => TimeSpan.FromMilliseconds(Math.Max(10_000, ReadyWithinHeartbeats * HeartbeatMs));

    /// <summary>
    /// The rules between settings (ranges are checked by <see cref="NodeConfiguration"/>): required values, ports that
    /// must differ, and no cleartext public or peer endpoint off loopback unless its AllowInsecure says so.
    /// Throws <see cref="NodeSettingException"/> naming the first setting at fault.
    /// </summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new NodeSettingException("Node:DataDir", DataDir, "a directory (--data-dir)");
        Api.Validate("Node:Api");
        Peer.Validate("Node:Peer");
        Operations.Validate("Node:Operations");
        Consensus.Validate();
        Anchor.Validate();
        var ports = new List<(string Setting, int Port)> { ("Node:Api:Port", Api.Port), ("Node:Api:WebPort", Api.EffectiveWebPort),
            ("Node:Peer:Port", Peer.Enabled ? Peer.Port : 0), ("Node:Operations:Port", Operations.EffectivePort(Api.Port)) };
        var taken = new Dictionary<int, string>();
        foreach (var (setting, port) in ports.Where(p => p.Port > 0))
            if (!taken.TryAdd(port, setting))
                throw new NodeSettingException(setting, port, $"a port other than {taken[port]}'s (each endpoint needs its own)");
    }
}
