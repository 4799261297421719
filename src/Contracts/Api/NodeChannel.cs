using System.Net;
using Grpc.Net.Client;

namespace P2PEnergy.Contracts.Api;

/// <summary>
/// The gRPC channel our clients open to a node: h2c with prior knowledge for http://, ALPN for https://, message
/// limits from <see cref="ApiLimits"/>, several HTTP/2 connections so long-lived streams never starve calls.
/// </summary>
public static class NodeChannel
{
    /// <summary>A channel to the node at <paramref name="address"/> (absolute http:// or https:// URI).</summary>
    public static GrpcChannel Create(Uri address, TimeSpan? connectTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"A node address must be an absolute http:// or https:// URI, not '{address}'.", nameof(address));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout ?? ApiLimits.ConnectTimeout,
            // Many concurrent streams (device subscriptions, watches) must not queue behind one connection's stream limit.
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.None,
            // Keep idle subscription connections alive through NATs.
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = ApiLimits.MaxMessageBytes,
            MaxSendMessageSize = ApiLimits.MaxMessageBytes,
            // Our calls are idempotent reads or submissions whose verdict the caller wants to see; no hidden retries.
            MaxRetryAttempts = 0,
        });
    }
}
