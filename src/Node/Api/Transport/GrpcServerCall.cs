using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>
/// The wire side of one server call: reads the single request message, writes response messages, and ends
/// the call with a status, as Trailers-Only when nothing was sent yet (PROTOCOL-HTTP2.md "Responses").
/// </summary>
internal sealed class GrpcServerCall
{
    private readonly HttpContext _http;
    private readonly GrpcServerOptions _options;
    private int _writing;

    public GrpcServerCall(HttpContext http, GrpcServerOptions options, ServerCallContext context)
    {
        _http = http;
        _options = options;
        Context = context;
    }

    public ServerCallContext Context { get; }

    /// <summary>Set once the status is written; later writes by a stray handler task fail instead of corrupting the stream.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>
    /// Reads exactly one request message (unary and server-streaming methods take one) up to end of stream.
    /// </summary>
    public async Task<T> ReadSingleRequestAsync<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        var reader = new GrpcFrameReader(_http.Request.BodyReader, _options.MaxReceiveMessageSize);
        var token = Context.CancellationToken;
        var frame = await reader.ReadAsync(token)
            ?? throw new RpcException(StatusCode.Internal, "The request ended without a message.");
        if (await reader.ReadAsync(token) is not null)
        {
            throw new RpcException(StatusCode.Internal, $"{Context.Method} takes one request message; the client sent more.");
        }

        GrpcCompression.EnsureUncompressed(frame, _http.Request.Headers[GrpcProtocol.EncodingHeader], receivedByServer: true);
        try
        {
            return parser.ParseFrom(frame.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"The request is not a valid {typeof(T).Name} message: {ex.Message}", ex);
        }
    }

    /// <summary>Sends one message, starting the response (headers) on the first.</summary>
    public async Task WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A previous write on this call has not completed; writes must not overlap.");
        }

        try
        {
            if (IsCompleted)
            {
                throw new InvalidOperationException($"{Context.Method} has already completed; the message cannot be sent.");
            }

            // Checked before the response starts, so an oversized unary reply still gets a Trailers-Only status.
            var framed = GrpcFraming.Frame(message, _options.MaxSendMessageSize);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(Context.CancellationToken, cancellationToken);
            linked.Token.ThrowIfCancellationRequested();
            if (!_http.Response.HasStarted)
            {
                SetResponseHeaders();
            }

            await _http.Response.BodyWriter.WriteAsync(framed, linked.Token);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Ends the call with <paramref name="status"/>; Trailers-Only if no message went out.</summary>
    public void Complete(StatusCode status, string detail)
    {
        IsCompleted = true;
        var response = _http.Response;
        if (!response.HasStarted)
        {
            // Trailers-Only: ":status 200" + content-type + Status in a single HEADERS frame. Kestrel sends the
            // headers with END_STREAM when the app completes without a body and without trailers.
            SetResponseHeaders();
            response.Headers[GrpcProtocol.StatusHeader] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (detail.Length > 0)
            {
                response.Headers[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(detail);
            }

            return;
        }

        // HTTP/2 trailers need no "Trailer:" declaration (that is HTTP/1.1 chunked framing), so DeclareTrailer
        // is not called: it would only add a header no gRPC peer reads.
        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (detail.Length > 0)
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcStatusMessage.Encode(detail));
        }
    }

    private void SetResponseHeaders()
    {
        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;

        // compression.md: the server tells a client which encodings it accepts; identity is all there is.
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcCompression.Identity;
    }
}
