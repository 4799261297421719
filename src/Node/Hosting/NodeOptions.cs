namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The node's settings, bound from appsettings.json section "Node", environment variables P2PE_Node__*, and the
/// command line (in rising precedence). docs/node.md lists them with their defaults.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>Directory made by <c>p2pe-node init</c>: genesis.json, validator.json, ledger.db.</summary>
    public string DataDir { get; set; } = "";

    /// <summary>TCP port on 127.0.0.1 for the gRPC API (HTTP/2 cleartext, prior knowledge) and /healthz; 0 picks a free one.</summary>
    public int Port { get; set; } = 5080;

    /// <summary>
    /// TCP port on 127.0.0.1 for gRPC-Web and /healthz over HTTP/1.1 (what a browser speaks without TLS); 0 picks a
    /// free one, -1 turns it off. Unset: <see cref="Port"/> + 1 (5081), or a free one when Port is 0.
    /// </summary>
    public int? WebPort { get; set; }

    /// <summary>The web port in effect: <see cref="WebPort"/> or its default; -1 when off.</summary>
    public int EffectiveWebPort => WebPort ?? (Port == 0 ? 0 : Port + 1);

    /// <summary>Longest gap between blocks on an idle chain, in milliseconds, so BFT time keeps moving.</summary>
    public long HeartbeatMs { get; set; } = 1000;

    /// <summary>Most transactions in one block.</summary>
    public int MaxBlockTransactions { get; set; } = 5000;

    /// <summary>Most transactions waiting in the mempool; further submissions get MEMPOOL_FULL.</summary>
    public int MempoolMaxTransactions { get; set; } = 100_000;

    /// <summary>
    /// Linux nice value of the consensus thread (−20 … 0; lower runs first, 0 = as every other thread). Negative values
    /// need CAP_SYS_NICE; without it the node logs a warning and runs the thread at normal priority.
    /// </summary>
    public int ConsensusNice { get; set; } = -10;

    /// <summary>
    /// On SIGTERM or Ctrl+C: how long the node waits for the block in progress and the calls in flight before it
    /// abandons them (an abandoned block was never committed; the store is closed consistent either way), in ms.
    /// </summary>
    public int ShutdownGraceMs { get; set; } = 2000;

    /// <summary>Anchoring on an EVM chain (section Node:Anchor); off unless its EvmRpcUrl is set.</summary>
    public Anchoring.AnchorOptions Anchor { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new ArgumentException("Node:DataDir is required (--data-dir)");
        if (Port is < 0 or > 65535) throw new ArgumentException($"Node:Port must lie in [0, 65535], got {Port}");
        if (EffectiveWebPort is < -1 or > 65535) throw new ArgumentException($"Node:WebPort must lie in [-1, 65535], got {EffectiveWebPort}");
        if (EffectiveWebPort == Port && Port != 0) throw new ArgumentException($"Node:WebPort must differ from Node:Port ({Port})");
        if (HeartbeatMs is < 1 or > 3_600_000) throw new ArgumentException($"Node:HeartbeatMs must lie in [1, 3600000], got {HeartbeatMs}");
        if (MaxBlockTransactions < 1) throw new ArgumentException($"Node:MaxBlockTransactions must be > 0, got {MaxBlockTransactions}");
        if (MempoolMaxTransactions < 1) throw new ArgumentException($"Node:MempoolMaxTransactions must be > 0, got {MempoolMaxTransactions}");
        if (ConsensusNice is < -20 or > 0) throw new ArgumentException($"Node:ConsensusNice must lie in [-20, 0], got {ConsensusNice}");
        if (ShutdownGraceMs is < 0 or > 60_000) throw new ArgumentException($"Node:ShutdownGraceMs must lie in [0, 60000], got {ShutdownGraceMs}");
        Anchor.Validate();
    }
}
