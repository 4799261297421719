using P2PEnergy.Node.Operations;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>
/// The one interceptor: a handler's bug reaches the client as INTERNAL_ERROR without its text, a stream the node's
/// shutdown ended as UNAVAILABLE SHUTTING_DOWN; refusals pass as they are.
/// </summary>
public class ApiCallInterceptorTests
{
    private static ApiCallInterceptor Interceptor()
        => new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), new MetricsGate(), NullLogger<ApiCallInterceptor>.Instance);

    [Fact]
    public async Task UnexpectedException_IsInternalError_AndItsTextStaysOnTheNode()
    {
        using var interceptor = Interceptor();
        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", new TestCallContext("/p2pe.v1.Ledger/GetAccount", default),
            (_, _) => throw new InvalidOperationException("secret detail of the store")));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        var refusal = NodeRefusal.Of(error);
        Assert.Equal(ApiReasons.InternalError.Code, refusal.Code);
        Assert.DoesNotContain("secret", refusal.Message);
        Assert.Contains("/p2pe.v1.Ledger/GetAccount", refusal.Message);
    }

    [Fact]
    public async Task Refusal_PassesThroughUnchanged()
    {
        using var interceptor = Interceptor();
        var refusal = Refusal.Of(ApiReasons.UnknownMeter, "meter 'X' is not registered");
        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.ServerStreamingServerHandler<string, string>("request", null!, new TestCallContext("/p2pe.v1.Devices/StreamDispatch", default),
            (_, _, _) => throw refusal));
        Assert.Same(refusal, error);
    }

    [Fact]
    public async Task StreamEndedByShutdown_IsUnavailable_ShuttingDown()
    {
        using var interceptor = Interceptor();
        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.ServerStreamingServerHandler<string, string>("request", null!, new TestCallContext("/p2pe.v1.Ledger/StreamBlocks", default),
            (_, _, _) => throw new FeedClosedException()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        var refusal = NodeRefusal.Of(error);
        Assert.Equal(ApiReasons.ShuttingDown.Code, refusal.Code);
        Assert.Equal("the node is shutting down", refusal.Message);
    }

    [Fact]
    public async Task CancelledByTheClient_PassesThroughAsCancellation()
    {
        using var interceptor = Interceptor();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => interceptor.UnaryServerHandler<string, string>("request", new TestCallContext("/p2pe.v1.Ledger/GetBlock", cancel.Token),
            (_, context) => throw new OperationCanceledException(context.CancellationToken)));
    }
}
