using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using P2PEnergy.Node.Operations;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The node's listening sockets, from <see cref="NodeOptions"/>: the public API (with TLS one port serves gRPC over
/// HTTP/2 and gRPC-Web over HTTP/1.1, chosen by ALPN; in cleartext gRPC is h2c on Api:Port and gRPC-Web HTTP/1.1 on
/// Api:WebPort, since a cleartext port offers one protocol), and the operations endpoint (HTTP/1.1; with TLS, HTTP/2
/// too). The peer endpoint (HTTP/2 only) is bound when the node has a peer network. Certificates are loaded at construction, so a bad file stops the node before it binds anything.
/// </summary>
public sealed class NodeEndpoints
{
    private readonly NodeOptions _options;
    private readonly X509Certificate2? _apiCertificate;
    private readonly X509Certificate2? _operationsCertificate;
    private readonly X509Certificate2? _peerCertificate;
    private ListenOptions? _api, _web, _operations, _peer;

    public NodeEndpoints(NodeOptions options)
    {
        _options = options;
        if (options.Api.Tls.Enabled) _apiCertificate = options.Api.Tls.Load("Node:Api:Tls", options.DataDir);
        if (options.Operations.Tls.Enabled) _operationsCertificate = options.Operations.Tls.Load("Node:Operations:Tls", options.DataDir);
        if (options.Peer.Enabled && options.Peer.Tls.Enabled) _peerCertificate = options.Peer.Tls.Load("Node:Peer:Tls", options.DataDir);
    }

    /// <summary>The peer endpoint's address; null when the node has no peer network (Node:Peer:Peers and Observers empty).</summary>
    public Uri? PeerAddress => _peer is null ? null : Reachable(_peer, _peerCertificate is not null);

    /// <summary>Where a client on this machine reaches the API (valid after the host started).</summary>
    public Uri ApiAddress => Reachable(_api!, _apiCertificate is not null);

    /// <summary>The cleartext gRPC-Web port's address; null with TLS or when Api:WebPort is -1.</summary>
    public Uri? WebAddress => _web is null ? null : Reachable(_web, tls: false);

    /// <summary>The operations endpoint's address; null when Operations:Port is -1.</summary>
    public Uri? OperationsAddress => _operations is null ? null : Reachable(_operations, _operationsCertificate is not null);

    public void Configure(KestrelServerOptions kestrel)
    {
        var api = _options.Api;
        _api = Listen(kestrel, api.IPAddress, api.Port, _apiCertificate, cleartext: HttpProtocols.Http2);
        if (api.EffectiveWebPort >= 0) _web = Listen(kestrel, api.IPAddress, api.EffectiveWebPort, null, cleartext: HttpProtocols.Http1);
        int operations = _options.Operations.EffectivePort(api.Port);
        if (operations >= 0) _operations = Listen(kestrel, _options.Operations.IPAddress, operations, _operationsCertificate, cleartext: HttpProtocols.Http1);
        if (_options.Peer.Enabled) _peer = Listen(kestrel, _options.Peer.IPAddress, _options.Peer.Port, _peerCertificate, cleartext: HttpProtocols.Http2);
    }

    /// <summary>
    /// One listening socket: with a certificate HTTP/1.1 and HTTP/2 by ALPN, else the one <paramref name="cleartext"/>
    /// protocol (h2c needs prior knowledge, so cleartext cannot offer both).
    /// </summary>
    public static ListenOptions Listen(KestrelServerOptions kestrel, IPAddress address, int port, X509Certificate2? certificate, HttpProtocols cleartext)
    {
        ListenOptions? bound = null;
        kestrel.Listen(address, port, listen =>
        {
            bound = listen;
            if (certificate is null) { listen.Protocols = cleartext; return; }
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificate);
        });
        return bound!;
    }

    /// <summary>Lets operations routes answer only where they belong: /metrics on the operations port, gRPC never there.</summary>
    public Task Route(HttpContext context, RequestDelegate next)
    {
        // The peer port serves the peer service alone, and only the peer port serves it.
        bool onPeer = _peer is not null && context.Connection.LocalPort == _peer.IPEndPoint!.Port;
        bool peerService = context.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>()?.ServiceType == typeof(Network.PeerService);
        if (onPeer != peerService)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        bool onOperations = _operations is not null && context.Connection.LocalPort == _operations.IPEndPoint!.Port;
        var route = context.GetEndpoint()?.Metadata.GetMetadata<OperationsRoute>();
        if (onOperations ? route is null : route?.OperationsOnly == true)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return next(context);
    }

    /// <summary>Log lines naming each endpoint's address, the way an operator reads which port is which.</summary>
    public IEnumerable<string> Describe()
    {
        yield return $"API listening on {ApiAddress} ({(_apiCertificate is null ? "gRPC over HTTP/2 cleartext" : "TLS: gRPC and gRPC-Web by ALPN")})";
        if (WebAddress is { } web) yield return $"gRPC-Web listening on {web} (HTTP/1.1 cleartext)";
        if (OperationsAddress is { } operations) yield return $"operations listening on {operations} (/healthz /readyz /metrics)";
        if (PeerAddress is { } peer) yield return $"peers listening on {peer} (p2pe.v1.Peer, {(_peerCertificate is null ? "HTTP/2 cleartext" : "TLS")})";
    }

    /// <summary>
    /// Names the taken port, its setting and the flag that moves it. Kestrel binds the endpoints in turn and names the
    /// one that failed in its message ("Failed to bind to address http://127.0.0.1:5081: address already in use.").
    /// </summary>
    public AddressInUseException AddressInUse(IOException e)
    {
        var api = _options.Api;
        var candidates = new List<(IPAddress Address, int Port, string Flag)> { (api.IPAddress, api.Port, "--port") };
        if (api.EffectiveWebPort >= 0) candidates.Add((api.IPAddress, api.EffectiveWebPort, "--web-port"));
        int operations = _options.Operations.EffectivePort(api.Port);
        if (operations >= 0) candidates.Add((_options.Operations.IPAddress, operations, "--ops-port"));
        if (_options.Peer.Enabled) candidates.Add((_options.Peer.IPAddress, _options.Peer.Port, "Node:Peer:Port"));
        var (address, port, flag) = candidates.FirstOrDefault(c => c.Port != 0 && e.Message.Contains($":{c.Port}:", StringComparison.Ordinal), candidates[0]);
        return new($"cannot listen on {new IPEndPoint(address, port)}: the address is in use by another process (another p2pe-node?); stop it or choose another {flag}");
    }

    private static Uri Reachable(ListenOptions listen, bool tls)
    {
        var endpoint = listen.IPEndPoint!;
        // A wildcard bind is reached over loopback from this machine.
        var host = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : endpoint.Address;
        return new Uri($"{(tls ? "https" : "http")}://{new IPEndPoint(host, endpoint.Port)}");
    }
}

/// <summary>One of the node's addresses is taken; the message names it (exit code <see cref="NodeExitCode.AddressInUse"/>).</summary>
public sealed class AddressInUseException(string message) : Exception(message);
