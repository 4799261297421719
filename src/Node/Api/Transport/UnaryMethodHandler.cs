using Google.Protobuf;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>A unary method: one request, one response.</summary>
internal sealed class UnaryMethodHandler<TRequest, TResponse>(
    string service,
    string method,
    MessageParser<TRequest> parser,
    Func<TRequest, ServerCallContext, Task<TResponse>> handler) : GrpcMethodHandler(service, method)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override async Task InvokeAsync(GrpcServerCall call)
    {
        var request = await call.ReadSingleRequestAsync(parser);
        var response = await handler(request, call.Context);
        await call.WriteMessageAsync(response, CancellationToken.None);
    }
}
