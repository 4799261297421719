using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>Kestrel endpoint set-up for serving gRPC.</summary>
public static class KestrelGrpcExtensions
{
    /// <summary>
    /// Listens on 127.0.0.1:<paramref name="port"/> (0 = any free port) for cleartext HTTP/2. It must be
    /// Http2-only: without TLS there is no ALPN, and an Http1AndHttp2 endpoint treats every connection as
    /// HTTP/1.1, so gRPC clients speaking h2c with prior knowledge would fail.
    /// </summary>
    /// <param name="kestrel">The server options to add the endpoint to.</param>
    /// <param name="port">The TCP port; 0 picks a free one.</param>
    /// <param name="configure">Further set-up of the endpoint; after start its IPEndPoint holds the bound port.</param>
    public static KestrelServerOptions ListenGrpcLoopback(this KestrelServerOptions kestrel, int port, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            configure?.Invoke(listen);
        });
        return kestrel;
    }
}
