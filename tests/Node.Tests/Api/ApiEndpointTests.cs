using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Grpc.Reflection.V1;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Hosting;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>
/// What users of a gRPC server expect, against the node in-process: the standard health service and server reflection
/// answer a client that has none of our .proto files; gRPC-Web answers over HTTP/1.1; refusals carry their reason code
/// as google.rpc.ErrorInfo; a deadline ends a stream with DEADLINE_EXCEEDED and stops the handler's work.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ApiEndpointTests : IAsyncLifetime
{
    private readonly NodeDirectory _directory = new();
    private NodeHost? _host;
    private GrpcChannel? _channel;

    private NodeHost Host => _host!;
    private GrpcChannel Channel => _channel!;
    private static DateTime In(int seconds) => DateTime.UtcNow.AddSeconds(seconds);

    public async Task InitializeAsync()
    {
        _host = _directory.CreateHost(heartbeatMs: 200);
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StartAsync(startup.Token);
        _channel = NodeChannel.Create(_host.Address);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Health_StandardService_IsServing_OnceTheDriverCommits()
    {
        // Grpc.HealthCheck's client: grpc.health.v1 as any load balancer or grpc_health_probe asks it.
        var health = new Health.HealthClient(Channel);
        var status = HealthCheckResponse.Types.ServingStatus.Unknown;
        for (int attempt = 0; attempt < 100 && status != HealthCheckResponse.Types.ServingStatus.Serving; attempt++)
        {
            status = (await health.CheckAsync(new HealthCheckRequest { Service = "" }, deadline: In(5))).Status;
            if (status != HealthCheckResponse.Types.ServingStatus.Serving) await Task.Delay(100);
        }
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }

    [Fact]
    public async Task Reflection_ListsEveryService_AndDescribesThem_ToAClientWithoutOurProtos()
    {
        var reflection = new ServerReflection.ServerReflectionClient(Channel);
        using var call = reflection.ServerReflectionInfo(deadline: In(10));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "p2pe.v1.Ledger" });
        await call.RequestStream.CompleteAsync();
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        var services = responses[0].ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Subset(services.ToHashSet(), new HashSet<string> { "p2pe.v1.Ledger", "p2pe.v1.Settlement", "p2pe.v1.Devices", "p2pe.v1.Grid", "grpc.health.v1.Health" });
        var files = responses[1].FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b)).ToList();
        var ledger = files.SelectMany(f => f.Service).Single(s => s.Name == "Ledger");
        Assert.Contains(ledger.Method, m => m.Name == "SubmitTransaction" && m.InputType == ".p2pe.v1.SubmitTransactionRequest");
    }

    [Fact]
    public async Task GrpcWeb_OverHttp11_OnTheWebPort_AnswersLikeTheNativeEndpoint()
    {
        // Grpc.Net.Client.Web speaks what a browser's grpc-web client does: HTTP/1.1, application/grpc-web.
        using var web = GrpcChannel.ForAddress(Host.WebAddress!, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var viaWeb = await web.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10));
        var native = await Channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10));
        Assert.Equal(native.ChainId, viaWeb.ChainId);
        Assert.NotEqual(0UL, viaWeb.ChainId);

        // Refusals keep their reason over gRPC-Web too.
        var refused = await Assert.ThrowsAsync<RpcException>(() => web.Ledger().GetBlockAsync(new GetBlockRequest { Height = 1_000_000 }, deadline: In(10)).ResponseAsync);
        Assert.Equal(ApiReasons.UnknownBlock.Code, NodeRefusal.Of(refused).Code);
    }

    [Fact]
    public async Task Endpoints_H2cPortRefusesHttp11_WebPortServesHealthzOverHttp11()
    {
        using var http11 = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok\n", await http11.GetStringAsync(new Uri(Host.WebAddress!, "/healthz")));
        // Without TLS there is no ALPN: the gRPC port speaks h2c with prior knowledge only (docs/node.md).
        await Assert.ThrowsAsync<HttpRequestException>(() => http11.GetStringAsync(new Uri(Host.Address, "/healthz")));
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok\n", await h2c.GetStringAsync(new Uri(Host.Address, "/healthz")));
    }

    [Fact]
    public async Task Refusal_CarriesItsReasonCode_AsErrorInfo_InTheRichStatus()
    {
        var stranger = new Contracts.Crypto.PrivateKey(Enumerable.Repeat((byte)7, 32).ToArray()).Address;
        var error = await Assert.ThrowsAsync<RpcException>(() => Channel.Ledger().GetAccountAsync(
            new GetAccountRequest { Address = ByteString.CopyFrom(stranger.Bytes) }, deadline: In(10)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        // Read as any client would: google.rpc.Status from grpc-status-details-bin, ErrorInfo among its details.
        var info = error.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal(("UNKNOWN_ACCOUNT", "p2pe.v1"), (info.Reason, info.Domain));
        Assert.Equal(new NodeRefusal("UNKNOWN_ACCOUNT", $"account {stranger} does not exist", StatusCode.NotFound), NodeRefusal.Of(error));

        var unaligned = await Assert.ThrowsAsync<RpcException>(() => Channel.Grid().GetGridStatusAsync(new GetGridStatusRequest { IntervalStart = 1 }, deadline: In(10)).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "UNALIGNED_INTERVAL"), (unaligned.StatusCode, NodeRefusal.Of(unaligned).Code));
    }

    [Fact]
    public async Task Deadline_ClientSide_EndsTheStreamWithDeadlineExceeded_AndTheHandlerStops()
    {
        var ended = new ConcurrentQueue<string>();
        using var listener = ListenForCalls(ended);
        // A block far ahead: StreamBlocks waits on the block feed until the deadline ends the call.
        var call = Channel.Ledger().StreamBlocks(new StreamBlocksRequest { FromHeight = 1_000_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300));
        var error = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in call.ReadAll()) { } });
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);

        // The interceptor records a call only when its handler returns: the server-side wait has ended. Which of the
        // two timers fired first (the client's reset, or the node's own) decides CANCELLED or DEADLINE_EXCEEDED.
        Assert.True(await EndsWithin(ended, TimeSpan.FromSeconds(5), "/p2pe.v1.Ledger/StreamBlocks CANCELLED", "/p2pe.v1.Ledger/StreamBlocks DEADLINE_EXCEEDED"),
            $"the StreamBlocks handler still runs; recorded: {string.Join(", ", ended)}");
    }

    [Fact]
    public async Task Deadline_ServerSide_AloneEndsAWaitingStream_WithDeadlineExceeded()
    {
        var ended = new ConcurrentQueue<string>();
        using var listener = ListenForCalls(ended);
        // Only grpc-timeout: the client never cancels, so the node's own deadline must end the call and its work.
        var request = RawGrpcCall.Frame(new StreamBlocksRequest { FromHeight = 1_000_000 }.ToByteArray());
        var (status, _) = await RawGrpcCall.PostAsync(Host.Address, "/p2pe.v1.Ledger/StreamBlocks", request, TimeSpan.FromSeconds(10), grpcTimeout: "300m");
        Assert.Equal(StatusCode.DeadlineExceeded, status);
        Assert.True(await EndsWithin(ended, TimeSpan.FromSeconds(5), "/p2pe.v1.Ledger/StreamBlocks DEADLINE_EXCEEDED"),
            $"the StreamBlocks handler did not end with its deadline; recorded: {string.Join(", ", ended)}");
    }

    private static async Task<bool> EndsWithin(ConcurrentQueue<string> ended, TimeSpan limit, params string[] any)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (ended.Any(any.Contains)) return true;
            await Task.Delay(20);
        }
        return false;
    }

    [Fact]
    public async Task Interceptor_CountsEveryCall_ByMethodAndFinalStatus()
    {
        var ended = new ConcurrentQueue<string>();
        using var listener = ListenForCalls(ended);
        await Channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10));
        await Assert.ThrowsAsync<RpcException>(() => Channel.Ledger().GetBlockAsync(new GetBlockRequest { Height = 1_000_000 }, deadline: In(10)).ResponseAsync);
        Assert.Contains("/p2pe.v1.Ledger/GetNodeStatus OK", ended);
        Assert.Contains("/p2pe.v1.Ledger/GetBlock NOT_FOUND", ended);
    }

    /// <summary>"method status" for every p2pe.api calls measurement while the listener lives.</summary>
    private static MeterListener ListenForCalls(ConcurrentQueue<string> ended)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ApiCallInterceptor.MeterName && instrument.Name == "calls") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string method = "", status = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "method") method = (string)tag.Value!;
                if (tag.Key == "status") status = (string)tag.Value!;
            }
            ended.Enqueue($"{method} {status}");
        });
        listener.Start();
        return listener;
    }
}
