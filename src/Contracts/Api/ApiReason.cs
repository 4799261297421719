using Grpc.Core;

namespace P2PEnergy.Contracts.Api;

/// <summary>
/// A stable reason code the node's API refuses a call with, and the one gRPC status it travels under. The code reaches
/// clients as <c>google.rpc.ErrorInfo.reason</c> (domain <see cref="ApiReasons.Domain"/>) in the rich status details.
/// </summary>
public sealed record ApiReason(string Code, StatusCode Status);
