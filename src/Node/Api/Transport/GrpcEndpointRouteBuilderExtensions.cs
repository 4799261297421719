using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>
/// Registers gRPC methods on a route builder, in place of Grpc.AspNetCore's MapGrpcService. Requires
/// <see cref="GrpcServiceCollectionExtensions.AddGrpcTransport"/>.
/// </summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Serves the unary method <paramref name="service"/>/<paramref name="method"/>.</summary>
    public static IEndpointRouteBuilder MapGrpcUnary<TRequest, TResponse>(
        this IEndpointRouteBuilder endpoints,
        string service,
        string method,
        MessageParser<TRequest> parser,
        Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(handler);
        return Register(endpoints, new UnaryMethodHandler<TRequest, TResponse>(service, method, parser, handler));
    }

    /// <summary>Serves the server-streaming method <paramref name="service"/>/<paramref name="method"/>.</summary>
    public static IEndpointRouteBuilder MapGrpcServerStreaming<TRequest, TResponse>(
        this IEndpointRouteBuilder endpoints,
        string service,
        string method,
        MessageParser<TRequest> parser,
        Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(handler);
        return Register(endpoints, new ServerStreamingMethodHandler<TRequest, TResponse>(service, method, parser, handler));
    }

    private static IEndpointRouteBuilder Register(IEndpointRouteBuilder endpoints, GrpcMethodHandler handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpcTransport() before mapping gRPC methods.");
        registry.Add(handler);
        if (!registry.EndpointMapped)
        {
            // One catch-all endpoint rather than one per method: unknown paths must still get a gRPC
            // UNIMPLEMENTED (not a 404), and wrong verbs/protocols their 405/415/426 from the same checks.
            // More specific routes (health checks and the like) still win over a catch-all.
            var dispatcher = endpoints.ServiceProvider.GetRequiredService<GrpcCallDispatcher>();
            endpoints.Map("/{**grpcPath}", dispatcher.DispatchAsync).WithDisplayName("gRPC dispatcher");
            registry.EndpointMapped = true;
        }

        return endpoints;
    }
}
