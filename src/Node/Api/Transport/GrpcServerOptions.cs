using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>Per-message limits of the node's gRPC endpoint; validated on construction.</summary>
public sealed class GrpcServerOptions
{
    public GrpcServerOptions(
        int maxReceiveMessageSize = GrpcFraming.DefaultMaxMessageSize,
        int maxSendMessageSize = GrpcFraming.DefaultMaxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSendMessageSize);
        MaxReceiveMessageSize = maxReceiveMessageSize;
        MaxSendMessageSize = maxSendMessageSize;
    }

    /// <summary>Largest request message accepted (default 4 MiB); larger → RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; }

    /// <summary>Largest response message sent (default 4 MiB); larger → RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; }
}
