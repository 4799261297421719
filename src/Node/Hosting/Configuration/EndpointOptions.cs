using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Net;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>Where one of the node's endpoints listens and with which certificate (shared by the three endpoints).</summary>
public abstract class EndpointOptions
{
    [Description("Interface to listen on: an IPv4 or IPv6 address; 0.0.0.0 or :: for every interface, 127.0.0.1 or ::1 for loopback only")]
    public string Address { get; set; } = "127.0.0.1";

    [Description("TLS certificate; without one the endpoint is cleartext")]
    public TlsOptions Tls { get; set; } = new();

    /// <summary>The parsed <see cref="Address"/> (valid after <see cref="ValidateAddress"/>).</summary>
    public IPAddress IPAddress => IPAddress.Parse(Address);

    /// <summary>True when only this machine can reach the endpoint.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(IPAddress);

    protected void ValidateAddress(string prefix)
    {
        if (!System.Net.IPAddress.TryParse(Address, out _))
            throw new NodeSettingException($"{prefix}:Address", Address, "an IPv4 or IPv6 address (0.0.0.0 or :: = every interface, 127.0.0.1 or ::1 = loopback)");
        Tls.Validate($"{prefix}:Tls");
    }

    /// <summary>
    /// A cleartext endpoint off loopback would carry signed transactions and votes unencrypted and unauthenticated over
    /// the network; it takes an explicit <paramref name="allowInsecure"/> (for a private network or a TLS proxy in front).
    /// </summary>
    protected void RequireTlsOffLoopback(string prefix, bool allowInsecure)
    {
        if (!IsLoopback && !Tls.Enabled && !allowInsecure)
            throw new NodeSettingException($"{prefix}:Address", Address,
                $"a loopback address while {prefix}:Tls:CertificateFile is empty (serving cleartext on every network needs {prefix}:AllowInsecure=true)");
    }
}

/// <summary>The public API: gRPC, gRPC-Web, grpc.health.v1 and reflection (docs/node.md "gRPC API").</summary>
public sealed class ApiEndpointOptions : EndpointOptions
{
    [Description("TCP port: gRPC (h2c without TLS; with TLS also gRPC-Web and HTTP/1.1, by ALPN); 0 picks a free one (--port)")]
    [Range(0, 65535)]
    public int Port { get; set; } = 5080;

    [Description("Without TLS only: a second TCP port for gRPC-Web and /healthz over HTTP/1.1 (cleartext cannot offer both on one port); unset = Port + 1 (a free one when Port is 0), -1 = off (--web-port)")]
    [Range(-1, 65535)]
    public int? WebPort { get; set; }

    [Description("Serve cleartext on a non-loopback Address anyway (a private network, or TLS ended by a proxy in front)")]
    public bool AllowInsecure { get; set; }

    /// <summary>The web port in effect: off (-1) with TLS, else <see cref="WebPort"/> or its default.</summary>
    public int EffectiveWebPort => Tls.Enabled ? -1 : WebPort ?? (Port == 0 ? 0 : Port + 1);

    internal void Validate(string prefix)
    {
        ValidateAddress(prefix);
        RequireTlsOffLoopback(prefix, AllowInsecure);
        if (Tls.Enabled && WebPort is >= 0)
            throw new NodeSettingException($"{prefix}:WebPort", WebPort, $"unset or -1 while {prefix}:Tls is on (the API port then serves gRPC-Web over HTTP/1.1 itself)");
        if (EffectiveWebPort == Port && Port != 0)
            throw new NodeSettingException($"{prefix}:WebPort", EffectiveWebPort, $"a port other than {prefix}:Port ({Port})");
    }
}

/// <summary>
/// The validator/observer network (docs/node.md "Peers"): the peer service listens, and the node dials its peers, when
/// <see cref="Peers"/> or <see cref="Observers"/> is set; without either the node runs alone (a one-validator chain).
/// </summary>
public sealed class PeerEndpointOptions : EndpointOptions
{
    [Description("TCP port for peers (HTTP/2; TLS off loopback); 0 picks a free one")]
    [Range(0, 65535)]
    public int Port { get; set; } = 5090;

    [Description("Serve the peer endpoint in cleartext on a non-loopback Address anyway")]
    public bool AllowInsecure { get; set; }

    [Description("Peers this node dials, comma-separated host:port (their Node:Peer:Port); https:// or http:// may be given, else https when this node's peer endpoint has TLS")]
    public string Peers { get; set; } = "";

    [Description("Node-key addresses (node-key.json) of observers allowed to connect, comma-separated; validators of the set in force are always allowed")]
    public string Observers { get; set; } = "";

    [Description("Largest peer frame accepted or sent, in bytes (a block-sync response stays under it)")]
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 32 * 1024 * 1024;

    [Description("Frames per second one peer may send (burst: one second's worth); a peer above it is disconnected")]
    [Range(10, 1_000_000)]
    public int MessagesPerSecond { get; set; } = 20_000;

    [Description("Frames waiting to go to one peer, per kind (consensus, transactions); when full the oldest is dropped and counted")]
    [Range(16, 1_000_000)]
    public int QueueCapacity { get; set; } = 4096;

    [Description("Most peers connected at once (dialed and accepted together)")]
    [Range(1, 1000)]
    public int MaxPeers { get; set; } = 50;

    [Description("Longest wait between two attempts to reach a peer, in ms (the wait doubles from 250 ms after each failure)")]
    [Range(250, 600_000)]
    public int ReconnectMaxMs { get; set; } = 10_000;

    [Description("Most blocks one block-sync request asks a peer for")]
    [Range(1, 10_000)]
    public int SyncBatchBlocks { get; set; } = 100;

    /// <summary>True when the node takes part in a peer network (<see cref="Peers"/> or <see cref="Observers"/> set).</summary>
    public bool Enabled => PeerList.Count > 0 || ObserverList.Count > 0;

    /// <summary>The limits the peer network runs with.</summary>
    public Network.PeerLimits Limits() => new(MaxMessageBytes, MessagesPerSecond, QueueCapacity, MaxPeers, TimeSpan.FromMilliseconds(ReconnectMaxMs), SyncBatchBlocks);

    /// <summary>The dial targets of <see cref="Peers"/> as URIs (valid after <see cref="Validate"/>).</summary>
    public IReadOnlyList<Uri> PeerList => Split(Peers).Select(p => PeerUri(p, Tls.Enabled)).ToList();

    /// <summary>The parsed <see cref="Observers"/> (valid after <see cref="Validate"/>).</summary>
    public IReadOnlyList<P2PEnergy.Contracts.Crypto.Address> ObserverList => Split(Observers).Select(P2PEnergy.Contracts.Crypto.Address.Parse).ToList();

    internal void Validate(string prefix)
    {
        ValidateAddress(prefix);
        RequireTlsOffLoopback(prefix, AllowInsecure);
        foreach (var peer in Split(Peers))
            if (!Uri.TryCreate(peer.Contains("://", StringComparison.Ordinal) ? peer : "http://" + peer, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https") || uri.Port <= 0 || uri.AbsolutePath != "/")
                throw new NodeSettingException($"{prefix}:Peers", Peers, $"comma-separated host:port entries ('{peer}' is not one)");
        foreach (var observer in Split(Observers))
            if (!P2PEnergy.Contracts.Crypto.Address.TryParse(observer, out _, out var why))
                throw new NodeSettingException($"{prefix}:Observers", Observers, $"comma-separated 0x addresses ('{observer}': {why})");
    }

    private static IEnumerable<string> Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Uri PeerUri(string peer, bool tls) => new(peer.Contains("://", StringComparison.Ordinal) ? peer : (tls ? "https://" : "http://") + peer);
}

/// <summary>Health, readiness and metrics for load balancers, supervisors and Prometheus.</summary>
public sealed class OperationsEndpointOptions : EndpointOptions
{
    [Description("TCP port for /healthz, /readyz and /metrics; unset = 5088 (a free one when Api:Port is 0), -1 = off (--ops-port)")]
    [Range(-1, 65535)]
    public int? Port { get; set; }

    /// <summary>The default port when <see cref="Port"/> is unset and the API port is fixed.</summary>
    public const int DefaultPort = 5088;

    /// <summary>The port in effect, given the API port.</summary>
    public int EffectivePort(int apiPort) => Port ?? (apiPort == 0 ? 0 : DefaultPort);

    // Health and metrics reveal no keys and take no input, so cleartext on any interface is allowed (firewall it: docs/operator.md).
    internal void Validate(string prefix) => ValidateAddress(prefix);
}
