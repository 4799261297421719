using Microsoft.AspNetCore.Http;

namespace P2PEnergy.Node.Api.Transport;

/// <summary>
/// What a handler knows about the call it serves. Member names follow Grpc.Core's ServerCallContext so that
/// handlers move to Grpc.AspNetCore by changing usings.
/// </summary>
public sealed class ServerCallContext
{
    private readonly HttpContext _httpContext;

    internal ServerCallContext(HttpContext httpContext, string method, DateTime deadline, CancellationToken cancellationToken)
    {
        _httpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The full method path, "/package.Service/Method".</summary>
    public string Method { get; }

    /// <summary>UTC deadline from grpc-timeout; <see cref="DateTime.MaxValue"/> when the client sent none.</summary>
    public DateTime Deadline { get; }

    /// <summary>Cancelled when the deadline passes or the client aborts the call.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Request headers, including custom metadata.</summary>
    public IHeaderDictionary RequestHeaders => _httpContext.Request.Headers;

    /// <summary>The caller's address in gRPC's form, e.g. "ipv4:127.0.0.1:50312".</summary>
    public string Peer
    {
        get
        {
            var connection = _httpContext.Connection;
            if (connection.RemoteIpAddress is null)
            {
                return "unknown";
            }

            var family = connection.RemoteIpAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6:[{0}]:{1}" : "ipv4:{0}:{1}";
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, family, connection.RemoteIpAddress, connection.RemotePort);
        }
    }

    /// <summary>The underlying request, as Grpc.AspNetCore's GetHttpContext() extension offers.</summary>
    public HttpContext GetHttpContext() => _httpContext;
}
