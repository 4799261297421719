using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Net;

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

/// <summary>The validator/observer network (issue 15 maps the peer service here; until then nothing listens).</summary>
public sealed class PeerEndpointOptions : EndpointOptions
{
    [Description("TCP port for peers (HTTP/2; TLS off loopback)")]
    [Range(0, 65535)]
    public int Port { get; set; } = 5090;

    [Description("Serve the peer endpoint in cleartext on a non-loopback Address anyway")]
    public bool AllowInsecure { get; set; }

    internal void Validate(string prefix)
    {
        ValidateAddress(prefix);
        RequireTlsOffLoopback(prefix, AllowInsecure);
    }
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
