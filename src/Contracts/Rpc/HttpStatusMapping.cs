namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// grpc/grpc doc/http-grpc-status-mapping.md: the status a client synthesises for a response that carries no
/// grpc-status (a proxy or a non-gRPC server answered). Only for that case; never used to pick HTTP codes.
/// </summary>
public static class HttpStatusMapping
{
    public static StatusCode ToStatusCode(int httpStatus) => httpStatus switch
    {
        >= 100 and < 200 => StatusCode.Internal, // 1xx informational headers should have been skipped.
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
