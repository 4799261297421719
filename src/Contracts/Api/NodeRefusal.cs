using Google.Rpc;
using Grpc.Core;

namespace P2PEnergy.Contracts.Api;

/// <summary>
/// A failed call as our clients report it: the node's reason code (ErrorInfo.reason, domain <see cref="ApiReasons.Domain"/>)
/// and message. A failure that carries no such detail — the node unreachable, a deadline passed, another server —
/// gets the gRPC status name in the same SHOUTING_SNAKE form (UNAVAILABLE, DEADLINE_EXCEEDED, ...).
/// </summary>
public sealed record NodeRefusal(string Code, string Message, StatusCode Status)
{
    /// <summary>The one place an <see cref="RpcException"/> becomes a reason code and a message.</summary>
    public static NodeRefusal Of(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var info = exception.GetRpcStatus()?.GetDetail<ErrorInfo>();
        string code = info is not null && info.Domain == ApiReasons.Domain && info.Reason.Length > 0 ? info.Reason : StatusName(exception.StatusCode);
        return new NodeRefusal(code, exception.Status.Detail, exception.StatusCode);
    }

    /// <summary>The canonical gRPC name of a status code, e.g. DEADLINE_EXCEEDED.</summary>
    public static string StatusName(StatusCode status) => status switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        _ => $"STATUS_{(int)status}",
    };

    public override string ToString() => $"{Code}: {Message}";
}
