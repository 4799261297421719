using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Consensus;

namespace P2PEnergy.Node.Api;

/// <summary>
/// The one place every API call is observed: a Debug log line per call (production nodes log at Information, so
/// they do not log every request) and the metrics <c>calls</c> (count) and <c>call.duration</c> (seconds), both by
/// method and final gRPC status, on the meter <see cref="MeterName"/> (Prometheus: <c>p2pe_api_calls</c>,
/// <c>p2pe_api_call_duration</c>: the exporter joins meter and instrument names).
/// </summary>
public sealed partial class ApiCallInterceptor : Interceptor, IDisposable
{
    public const string MeterName = "p2pe.api";

    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly ILogger<ApiCallInterceptor> _log;
    private readonly MetricsGate _gate;

    public ApiCallInterceptor(IMeterFactory meters, MetricsGate gate, ILogger<ApiCallInterceptor> log)
    {
        _gate = gate;
        _meter = meters.Create(MeterName);
        _calls = _meter.CreateCounter<long>("calls", unit: "{call}", description: "API calls by method and final gRPC status");
        _duration = _meter.CreateHistogram<double>("call.duration", unit: "s", description: "API call duration (a stream: until it ends)");
        _log = log;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Record(context, StatusCode.OK, start);
            return response;
        }
        catch (Exception e)
        {
            Record(context, StatusOf(e, context), start);
            if (Unexpected(e, context) is { } failure) throw failure;
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            Record(context, StatusCode.OK, start);
        }
        catch (Exception e)
        {
            Record(context, StatusOf(e, context), start);
            if (Unexpected(e, context) is { } failure) throw failure;
            throw;
        }
    }

    public void Dispose() => _meter.Dispose();

    private void Record(ServerCallContext context, StatusCode status, long start)
    {
        var elapsed = Stopwatch.GetElapsedTime(start);
        string statusName = NodeRefusal.StatusName(status);
        var tags = new TagList { { "method", context.Method }, { "status", statusName } };
        _calls.Add(1, tags);
        _gate.Record(seconds => _duration.Record(seconds, tags), elapsed.TotalSeconds);
        LogCall(_log, context.Method, statusName, elapsed.TotalMilliseconds);
    }

    /// <summary>The status the client sees for a handler that threw <paramref name="e"/>.</summary>
    private static StatusCode StatusOf(Exception e, ServerCallContext context) => e switch
    {
        RpcException rpc => rpc.StatusCode,
        FeedClosedException => StatusCode.Unavailable,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested
            => context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// A handler's unexpected exception (a bug) as INTERNAL_ERROR, logged with its stack; a stream cut short by the
    /// node stopping as SHUTTING_DOWN (UNAVAILABLE: the client retries elsewhere); null for a refusal or a
    /// cancellation, which the library reports as they are. The client never sees an unexpected exception's text.
    /// </summary>
    private RpcException? Unexpected(Exception e, ServerCallContext context)
    {
        if (e is RpcException || (e is OperationCanceledException && context.CancellationToken.IsCancellationRequested)) return null;
        if (e is FeedClosedException) return Refusal.Of(ApiReasons.ShuttingDown, e.Message);
        LogFailure(_log, context.Method, e);
        return Refusal.Of(ApiReasons.InternalError, $"the node failed to handle {context.Method}; its log has the details");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed; the client is told INTERNAL_ERROR")]
    private static partial void LogFailure(ILogger logger, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} ended {Status} after {Milliseconds:0.###} ms")]
    private static partial void LogCall(ILogger logger, string method, string status, double milliseconds);
}
