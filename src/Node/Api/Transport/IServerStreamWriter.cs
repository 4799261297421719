namespace P2PEnergy.Node.Api.Transport;

/// <summary>
/// Sends the messages of a server-streaming response (as Grpc.Core's IServerStreamWriter). Writes must not
/// overlap, and none may follow the handler's return.
/// </summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Sends one message; it is flushed to the client before the task completes.</summary>
    Task WriteAsync(T message);

    /// <summary>Sends one message, observing <paramref name="cancellationToken"/> as well as the call's own token.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken);
}
