using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// One client call in flight: sends the request, then reads response messages and finally the status.
/// All transport failures are translated to <see cref="RpcException"/> here, in one place.
/// </summary>
internal sealed class RpcClientCall : IAsyncDisposable
{
    private static readonly ProductInfoHeaderValue UserAgent = new("p2pe-grpc-dotnet", "1.0");

    private readonly RpcChannel _channel;
    private readonly string _path;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _cts;
    private HttpResponseMessage? _response;
    private GrpcFrameReader? _reader;
    private bool _finished;

    private RpcClientCall(RpcChannel channel, string path, CancellationTokenSource cts, CancellationToken callerToken)
    {
        _channel = channel;
        _path = path;
        _cts = cts;
        _callerToken = callerToken;
    }

    public static async Task<RpcClientCall> StartAsync(
        RpcChannel channel, HttpClient http, string service, string method, IMessage request, DateTime? deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = GrpcProtocol.Path(service, method);
        var framed = GrpcFraming.Frame(request, channel.Options.MaxSendMessageSize);
        // DateTime.MaxValue is Grpc.Core's "no deadline"; honour that convention too.
        TimeSpan? timeout = deadline is { } d && d != DateTime.MaxValue ? d.ToUniversalTime() - DateTime.UtcNow : null;
        if (timeout <= TimeSpan.Zero)
        {
            // As grpc-js does: an expired deadline fails locally, nothing is sent.
            throw new RpcException(StatusCode.DeadlineExceeded, $"Deadline passed before {path} was sent.");
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // CancelAfter takes at most ~49.7 days; a deadline further out than that is enforced by the server alone.
        if (timeout is { } t && t.TotalMilliseconds < uint.MaxValue - 1)
        {
            cts.CancelAfter(t);
        }

        var call = new RpcClientCall(channel, path, cts, cancellationToken);
        try
        {
            await call.SendAsync(http, framed, timeout).ConfigureAwait(false);
            return call;
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The next message, or null once the call has ended with status OK; otherwise throws.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        if (_finished)
        {
            return default;
        }

        try
        {
            var frame = await _reader!.ReadAsync(_cts.Token).ConfigureAwait(false);
            if (frame is { } f)
            {
                GrpcCompression.EnsureUncompressed(f, HeaderValue(_response!.Headers, GrpcProtocol.EncodingHeader), receivedByServer: false);
                return Parse(parser, f.Payload);
            }

            // The body ended: trailers are now available. Status must be there even when OK (spec "Responses").
            _finished = true;
            ThrowIfFailed(_response!.TrailingHeaders, missingStatusDetail: "The response ended without a grpc-status trailer.");
            return default;
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        // Disposing an unfinished response resets the stream (RST_STREAM CANCEL): the client cancellation
        // of PROTOCOL-HTTP2.md "Client Cancellation".
        _response?.Dispose();
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SendAsync(HttpClient http, byte[] framed, TimeSpan? timeout)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _path))
        {
            Version = HttpVersion.Version20,
            // Exact: for http:// this is HTTP/2 with prior knowledge (h2c); never a silent HTTP/1.1 downgrade.
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(framed),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.UserAgent.Add(UserAgent);
        if (timeout is { } t)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(t));
        }

        try
        {
            _response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _cts.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            throw new RpcException(StatusCode.Unavailable, $"Node at {_channel.Address} is unreachable: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Translate(ex);
        }

        if (_response.StatusCode != HttpStatusCode.OK)
        {
            // A proxy or non-gRPC server answered: synthesise per http-grpc-status-mapping.md.
            var code = (int)_response.StatusCode;
            throw new RpcException(HttpStatusMapping.ToStatusCode(code), $"{_path}: HTTP status {code} {_response.ReasonPhrase} from {_channel.Address}.");
        }

        // Trailers-Only: a single HEADERS frame, so .NET files grpc-status under the response headers.
        if (HeaderValue(_response.Headers, GrpcProtocol.StatusHeader) is not null)
        {
            _finished = true;
            ThrowIfFailed(_response.Headers, missingStatusDetail: string.Empty);
            return;
        }

        var contentType = _response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw new RpcException(StatusCode.Unknown, $"{_path}: response content-type '{contentType}' is not gRPC.");
        }

        var body = await _response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        _reader = GrpcFrameReader.FromStream(body, _channel.Options.MaxReceiveMessageSize);
    }

    private void ThrowIfFailed(HttpHeaders headers, string missingStatusDetail)
    {
        var status = HeaderValue(headers, GrpcProtocol.StatusHeader);
        if (status is null)
        {
            throw new RpcException(StatusCode.Unknown, $"{_path}: {missingStatusDetail}");
        }

        if (!int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new RpcException(StatusCode.Unknown, $"{_path}: unparseable grpc-status '{status}'.");
        }

        if (code != (int)StatusCode.OK)
        {
            var message = HeaderValue(headers, GrpcProtocol.MessageHeader);
            throw new RpcException((StatusCode)code, message is null ? string.Empty : GrpcStatusMessage.Decode(message));
        }
    }

    private static T Parse<T>(MessageParser<T> parser, byte[] payload)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to deserialize response message: {ex.Message}", ex);
        }
    }

    private RpcException Translate(Exception ex)
    {
        if (ex is OperationCanceledException && _cts.IsCancellationRequested)
        {
            return _callerToken.IsCancellationRequested
                ? new RpcException(StatusCode.Cancelled, $"{_path} was cancelled by the caller.", ex)
                : new RpcException(StatusCode.DeadlineExceeded, $"Deadline exceeded calling {_path} on {_channel.Address}.", ex);
        }

        // PROTOCOL-HTTP2.md "Errors": RST_STREAM codes map to gRPC codes.
        var protocolError = ex as HttpProtocolException ?? ex.InnerException as HttpProtocolException;
        if (protocolError is not null)
        {
            var code = protocolError.ErrorCode switch
            {
                0x7 => StatusCode.Unavailable, // REFUSED_STREAM: nothing was processed, safe to retry.
                0x8 => StatusCode.Cancelled, // CANCEL sent by the server.
                0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
                0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
                _ => StatusCode.Internal,
            };
            return new RpcException(code, $"{_path}: HTTP/2 stream reset by {_channel.Address} (error 0x{protocolError.ErrorCode:X}).", ex);
        }

        return ex is HttpRequestException or IOException
            ? new RpcException(StatusCode.Unavailable, $"Connection to node at {_channel.Address} failed during {_path}: {ex.Message}", ex)
            : new RpcException(StatusCode.Internal, $"{_path} failed: {ex.Message}", ex);
    }

    private static string? HeaderValue(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
