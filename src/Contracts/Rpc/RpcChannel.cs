using System.Net;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// A gRPC client connection to one node over HttpClient and HTTP/2 (h2c with prior knowledge for http://,
/// ALPN for https://). Stands in for Grpc.Net.Client's GrpcChannel, which the served registry lacks.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly HttpClient _http;

    public RpcChannel(Uri address, RpcChannelOptions? options = null)
        : this(address, CreateHandler(options ?? new RpcChannelOptions()), options)
    {
    }

    /// <summary>Uses <paramref name="handler"/> (disposed with the channel) instead of a fresh SocketsHttpHandler.</summary>
    public RpcChannel(Uri address, HttpMessageHandler handler, RpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(handler);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"A node address must be an absolute http:// or https:// URI, not '{address}'.", nameof(address));
        }

        Address = address;
        Options = options ?? new RpcChannelOptions();

        // Deadlines, not HttpClient.Timeout, bound calls: a server stream may legitimately run for hours.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The node this channel calls.</summary>
    public Uri Address { get; }

    public RpcChannelOptions Options { get; }

    /// <summary>
    /// Calls a unary method. <paramref name="deadline"/> (UTC) is sent as grpc-timeout and also enforced
    /// locally. Every failure surfaces as <see cref="RpcException"/>.
    /// </summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        string service,
        string method,
        TRequest request,
        MessageParser<TResponse> parser,
        DateTime? deadline = null,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(parser);
        await using var call = await RpcClientCall.StartAsync(this, _http, service, method, request, deadline, cancellationToken).ConfigureAwait(false);
        var response = await call.ReadAsync(parser).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, $"{service}/{method} ended with OK but returned no message.");

        // A unary method returns exactly one message; reading on consumes the trailers (and their status).
        if (await call.ReadAsync(parser).ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, $"{service}/{method} is unary but returned more than one message.");
        }

        return response;
    }

    /// <summary>
    /// Calls a server-streaming method and yields each response message as it arrives. The status trailer
    /// is checked when the stream ends; abandoning the enumeration cancels the call (RST_STREAM).
    /// </summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        string service,
        string method,
        TRequest request,
        MessageParser<TResponse> parser,
        DateTime? deadline = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(parser);
        await using var call = await RpcClientCall.StartAsync(this, _http, service, method, request, deadline, cancellationToken).ConfigureAwait(false);
        while (await call.ReadAsync(parser).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    public void Dispose() => _http.Dispose();

    private static SocketsHttpHandler CreateHandler(RpcChannelOptions options) => new()
    {
        ConnectTimeout = options.ConnectTimeout,
        // Many concurrent streams (subscriptions) must not queue behind one connection's stream limit.
        EnableMultipleHttp2Connections = true,
        AutomaticDecompression = DecompressionMethods.None,
        // Keep idle subscription connections alive through NATs; mirrors grpc-js keepalive defaults loosely.
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
    };
}
