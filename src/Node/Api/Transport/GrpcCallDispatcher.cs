using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>
/// The one endpoint behind every gRPC path: checks the request is gRPC, finds the method, enforces the
/// deadline, runs the handler and turns its outcome into a gRPC status.
/// </summary>
internal sealed partial class GrpcCallDispatcher(GrpcServiceRegistry registry, GrpcServerOptions options, ILogger<GrpcCallDispatcher> logger)
{
    /// <summary>What a client sees for an unexpected exception; details stay in the node's log.</summary>
    internal const string InternalErrorDetail = "Exception was thrown by handler.";

    public async Task DispatchAsync(HttpContext http)
    {
        if (!RejectNonGrpc(http))
        {
            return;
        }

        var path = http.Request.Path.Value ?? string.Empty;
        var deadline = ReadDeadline(http, out var timeout);
        using var deadlineCts = timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadlineCts.Token);
        var call = new GrpcServerCall(http, options, new ServerCallContext(http, path, deadline, callCts.Token));

        if (!registry.TryGet(path, out var handler))
        {
            call.Complete(StatusCode.Unimplemented, $"Method {path} is unimplemented.");
            return;
        }

        // Messages are bounded one by one (MaxReceiveMessageSize); Kestrel's whole-body cap would wrongly
        // end long-lived streams, so it is lifted per request as Grpc.AspNetCore does.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        StatusCode status;
        string detail;
        try
        {
            await handler.InvokeAsync(call);
            (status, detail) = deadlineCts.IsCancellationRequested
                ? (StatusCode.DeadlineExceeded, "Deadline exceeded.")
                : (StatusCode.OK, string.Empty);
        }
        catch (Exception ex) when (deadlineCts.IsCancellationRequested)
        {
            // PROTOCOL-HTTP2.md "Client Cancellation": once the deadline passes the call is over, whatever the
            // handler was doing when its token fired.
            LogDeadline(logger, path, ex.GetType().Name);
            (status, detail) = (StatusCode.DeadlineExceeded, "Deadline exceeded.");
        }
        catch (RpcException ex)
        {
            (status, detail) = (ex.StatusCode, ex.Detail);
        }
        catch (Consensus.FeedClosedException ex)
        {
            // The node is stopping: a stream waiting for blocks ends with a status the client retries elsewhere.
            (status, detail) = (StatusCode.Unavailable, ex.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream; nothing more reaches it, but the status is recorded for symmetry.
            (status, detail) = (StatusCode.Cancelled, "The call was cancelled by the client.");
        }
        catch (Exception ex)
        {
            LogHandlerFailure(logger, path, ex);
            (status, detail) = (StatusCode.Internal, InternalErrorDetail);
        }

        if (!http.RequestAborted.IsCancellationRequested)
        {
            call.Complete(status, detail);
        }
    }

    /// <summary>
    /// The HTTP-level refusals, which come before any gRPC status can be spoken: 426 for HTTP/1.x, 405 for a
    /// method other than POST, 415 for a content-type that is not gRPC+protobuf (PROTOCOL-HTTP2.md).
    /// </summary>
    private static bool RejectNonGrpc(HttpContext http)
    {
        var request = http.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            // Only reachable on an endpoint that admits HTTP/1.x (an h2c endpoint must be Http2-only).
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = request.IsHttps ? "h2" : "h2c";
            http.Response.Headers.Connection = "Upgrade";
            return false;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = HttpMethods.Post;
            return false;
        }

        if (!GrpcProtocol.IsProtobufContentType(request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        return true;
    }

    /// <summary>
    /// A malformed grpc-timeout is ignored (infinite deadline), as Grpc.AspNetCore does: the spec defines no
    /// error for it and "If Timeout is omitted a server should assume an infinite timeout".
    /// </summary>
    private DateTime ReadDeadline(HttpContext http, out TimeSpan? timeout)
    {
        timeout = null;
        var header = http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        if (header.Length == 0)
        {
            return DateTime.MaxValue;
        }

        if (!GrpcTimeout.TryParse(header, out var parsed))
        {
            LogBadTimeout(logger, header);
            return DateTime.MaxValue;
        }

        // CancellationTokenSource accepts at most ~49.7 days; a longer timeout is as good as none.
        if (parsed.TotalMilliseconds >= uint.MaxValue - 1)
        {
            return DateTime.MaxValue;
        }

        timeout = parsed;
        return DateTime.UtcNow + parsed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC handler for {Path} failed; the client is told INTERNAL.")]
    private static partial void LogHandlerFailure(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gRPC call {Path} exceeded its deadline (handler ended with {ExceptionType}).")]
    private static partial void LogDeadline(ILogger logger, string path, string exceptionType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring malformed grpc-timeout '{Value}'.")]
    private static partial void LogBadTimeout(ILogger logger, string value);
}
