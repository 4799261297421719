using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Contracts.Api;

namespace P2PEnergy.Node.Api;

/// <summary>
/// The node's gRPC API on Grpc.AspNetCore, set up in one place: message limits (<see cref="ApiLimits"/>), the call
/// interceptor, the ledger services, <c>grpc.health.v1.Health</c>, server reflection and gRPC-Web.
/// </summary>
public static class ApiEndpoint
{
    /// <summary>Registers gRPC with our limits and interceptor, reflection and the health service.</summary>
    public static IServiceCollection AddNodeApi(this IServiceCollection services)
    {
        services.AddSingleton<ApiCallInterceptor>();
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = ApiLimits.MaxMessageBytes;
            grpc.MaxSendMessageSize = ApiLimits.MaxMessageBytes;
            // Clients see the message a handler chose (Refusal), never an exception's text.
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<ApiCallInterceptor>();
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<CommitHealthCheck>("commit");
        return services;
    }

    /// <summary>Maps the services, health and reflection; gRPC-Web is on for every service (/healthz: OperationsEndpoint).</summary>
    public static IEndpointRouteBuilder MapNodeApi(this WebApplication app)
    {
        app.Use(LibraryRefusals.Middleware);
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapGrpcService<LedgerService>();
        app.MapGrpcService<SettlementService>();
        app.MapGrpcService<DevicesService>();
        app.MapGrpcService<GridService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
