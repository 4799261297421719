using Google.Protobuf;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>A server-streaming method: one request, any number of responses written by the handler.</summary>
internal sealed class ServerStreamingMethodHandler<TRequest, TResponse>(
    string service,
    string method,
    MessageParser<TRequest> parser,
    Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler) : GrpcMethodHandler(service, method)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override async Task InvokeAsync(GrpcServerCall call)
    {
        var request = await call.ReadSingleRequestAsync(parser);
        await handler(request, new Writer(call), call.Context);
    }

    private sealed class Writer(GrpcServerCall call) : IServerStreamWriter<TResponse>
    {
        public Task WriteAsync(TResponse message) => call.WriteMessageAsync(message, CancellationToken.None);

        public Task WriteAsync(TResponse message, CancellationToken cancellationToken) => call.WriteMessageAsync(message, cancellationToken);
    }
}
