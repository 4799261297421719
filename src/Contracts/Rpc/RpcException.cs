namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// A call that ended with a non-OK gRPC status. Thrown by the client for every failed call, and by
/// server handlers to choose the status (and <c>grpc-message</c> detail) the caller receives.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode statusCode, string detail)
        : this(statusCode, detail, innerException: null)
    {
    }

    public RpcException(StatusCode statusCode, string detail, Exception? innerException)
        : base($"Status(StatusCode=\"{statusCode}\", Detail=\"{detail}\")", innerException)
    {
        if (statusCode == StatusCode.OK)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "An RpcException carries a failure status, never OK.");
        }

        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The gRPC status of the failed call.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The human-readable detail, as sent (decoded) in <c>grpc-message</c>.</summary>
    public string Detail { get; }
}
