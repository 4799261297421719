using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>Adds the gRPC transport's services, as Grpc.AspNetCore's AddGrpc would.</summary>
public static class GrpcServiceCollectionExtensions
{
    public static IServiceCollection AddGrpcTransport(this IServiceCollection services, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(options ?? new GrpcServerOptions());
        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<GrpcCallDispatcher>();
        return services;
    }
}
