namespace P2PEnergy.Contracts.Rpc;

/// <summary>Limits of an <see cref="RpcChannel"/>; validated on construction.</summary>
public sealed class RpcChannelOptions
{
    public RpcChannelOptions(
        int maxReceiveMessageSize = GrpcFraming.DefaultMaxMessageSize,
        int maxSendMessageSize = GrpcFraming.DefaultMaxMessageSize,
        TimeSpan? connectTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSendMessageSize);
        var connect = connectTimeout ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connect, TimeSpan.Zero, nameof(connectTimeout));
        MaxReceiveMessageSize = maxReceiveMessageSize;
        MaxSendMessageSize = maxSendMessageSize;
        ConnectTimeout = connect;
    }

    /// <summary>Largest response message accepted; default 4 MiB (grpc-js' default too).</summary>
    public int MaxReceiveMessageSize { get; }

    /// <summary>Largest request message sent; a larger one fails locally with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; }

    /// <summary>How long to wait for the TCP connection to a node; default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; }
}
