using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using P2PEnergy.Contracts.Api;

namespace P2PEnergy.Node.Api;

/// <summary>
/// The one way a service refuses a call: the reason's gRPC status, the human message, and the reason code as
/// <c>google.rpc.ErrorInfo</c> (domain <see cref="ApiReasons.Domain"/>) in the rich status details, so any client
/// reads the code without parsing the message.
/// </summary>
public static class Refusal
{
    /// <summary>The exception a handler throws to refuse with <paramref name="reason"/>.</summary>
    public static RpcException Of(ApiReason reason, string message) => Status(reason, message).ToRpcException();

    /// <summary>The rich status of a refusal: code, message and the reason as ErrorInfo.</summary>
    public static Google.Rpc.Status Status(ApiReason reason, string message)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return new Google.Rpc.Status
        {
            Code = (int)reason.Status,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason.Code, Domain = ApiReasons.Domain }) },
        };
    }
}
