namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// gRPC status codes as carried in the <c>grpc-status</c> trailer (grpc/grpc doc/statuscodes.md).
/// Names and values match Grpc.Core.StatusCode so handlers can move to Grpc.AspNetCore unchanged.
/// </summary>
public enum StatusCode
{
    OK = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}
