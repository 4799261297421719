using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Tests.Api.Transport.Echo;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>The node's gRPC transport driven end to end over real HTTP/2 sockets by <see cref="RpcChannel"/>.</summary>
[Trait("Category", "Integration")]
public sealed class GrpcTransportIntegrationTests(EchoServer server) : IClassFixture<EchoServer>
{
    private const int TestTimeoutMs = 15_000;
    private static readonly string UnaryPath = GrpcProtocol.Path(EchoService.Name, "Unary");

    private static DateTime In(int milliseconds) => DateTime.UtcNow.AddMilliseconds(milliseconds);

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Unary_EchoesTheRequest()
    {
        using var channel = server.CreateChannel();
        var reply = await channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest { Text = "flow book" }, EchoReply.Parser, In(5000));
        Assert.Equal("flow book", reply.Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerStreaming_YieldsEveryMessageInOrder()
    {
        using var channel = server.CreateChannel();
        var texts = new List<string>();
        await foreach (var reply in channel.ServerStreamingAsync(EchoService.Name, "ServerStream", new EchoRequest { Text = "dmo", Repeat = 3 }, EchoReply.Parser, In(5000)))
        {
            texts.Add(reply.Text);
        }

        Assert.Equal(["dmo#0", "dmo#1", "dmo#2"], texts);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerStreaming_ZeroMessages_EndsOk()
    {
        using var channel = server.CreateChannel();
        var count = 0;
        await foreach (var unused in channel.ServerStreamingAsync(EchoService.Name, "ServerStream", new EchoRequest { Repeat = 0 }, EchoReply.Parser, In(5000)))
        {
            count++;
        }

        Assert.Equal(0, count);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerStreaming_FailureAfterMessages_ArrivesInTrailers()
    {
        using var channel = server.CreateChannel();
        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            var request = new EchoRequest { Text = "dgo", Repeat = 2, FailCode = (int)StatusCode.Aborted, FailMessage = "gate closure" };
            await foreach (var reply in channel.ServerStreamingAsync(EchoService.Name, "ServerStream", request, EchoReply.Parser, In(5000)))
            {
                received.Add(reply.Text);
            }
        });

        Assert.Equal(["dgo#0", "dgo#1"], received);
        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal("gate closure", ex.Detail);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(EchoService.Name, "NoSuchMethod")]
    [InlineData("p2pe.test.NoSuchService", "Unary")]
    public async Task UnknownServiceOrMethod_IsUnimplemented(string service, string method)
    {
        using var channel = server.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(service, method, new EchoRequest(), EchoReply.Parser, In(5000)));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ImmediateError_IsTrailersOnly()
    {
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, "/p2pe.test.Echo/NoSuchMethod", RawGrpcRequest.Frame(0, []));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("12", response.Header("grpc-status"));
        Assert.Empty(response.Body);
        Assert.Empty(response.Trailers);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Success_SendsHeadersDataThenStatusTrailer()
    {
        var request = new EchoRequest { Text = "imbalance" }.ToByteArray();
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, RawGrpcRequest.Frame(0, request), GrpcProtocol.ProtoContentType);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Header("grpc-status"));
        Assert.Equal("0", response.Trailer("grpc-status"));
        Assert.Equal("imbalance", EchoReply.Parser.ParseFrom(response.Body.AsSpan(GrpcFraming.HeaderSize)).Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task WrongContentType_IsHttp415()
    {
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, [], contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Http11_IsHttp426UpgradeRequired()
    {
        var response = await RawGrpcRequest.SendAsync(server.Http1Address, UnaryPath, RawGrpcRequest.Frame(0, []), version: HttpVersion.Version11);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task NonPost_IsHttp405()
    {
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, [], method: HttpMethod.Put);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FarOrNoDeadline_StillCalls()
    {
        using var channel = server.CreateChannel();
        var request = new EchoRequest { Text = "far" };
        Assert.Equal("far", (await channel.UnaryAsync(EchoService.Name, "Unary", request, EchoReply.Parser, DateTime.UtcNow.AddYears(5))).Text);
        Assert.Equal("far", (await channel.UnaryAsync(EchoService.Name, "Unary", request, EchoReply.Parser, DateTime.MaxValue)).Text);
        Assert.Equal("far", (await channel.UnaryAsync(EchoService.Name, "Unary", request, EchoReply.Parser)).Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ExpiredDeadline_FailsWithoutCalling()
    {
        using var channel = server.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest(), EchoReply.Parser, DateTime.UtcNow.AddSeconds(-1)));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task CallerCancellation_IsCancelled()
    {
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest { DelayMs = 10_000 }, EchoReply.Parser, In(5000), cts.Token));
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ClientDeadline_IsDeadlineExceeded()
    {
        using var channel = server.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest { DelayMs = 10_000 }, EchoReply.Parser, In(200)));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerHonoursGrpcTimeout_WithDeadlineExceededStatus()
    {
        // No client-side deadline here: the status must come from the server's own enforcement.
        var request = new EchoRequest { DelayMs = 10_000 }.ToByteArray();
        var headers = new Dictionary<string, string> { ["grpc-timeout"] = "150m" };
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, RawGrpcRequest.Frame(0, request), headers: headers);

        Assert.Equal("4", response.Header("grpc-status"));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OversizedRequest_IsResourceExhausted()
    {
        using var channel = server.CreateChannel();
        var request = new EchoRequest { Padding = ByteString.CopyFrom(new byte[EchoServer.MaxMessageSize + 1]) };
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Unary", request, EchoReply.Parser, In(5000)));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OversizedReply_IsResourceExhaustedAtTheServer()
    {
        using var channel = server.CreateChannel();
        var request = new EchoRequest { ReplyPadding = EchoServer.MaxMessageSize + 1 };
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Unary", request, EchoReply.Parser, In(5000)));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ReplyOverClientLimit_IsResourceExhaustedAtTheClient()
    {
        using var channel = server.CreateChannel(new RpcChannelOptions(maxReceiveMessageSize: 1024));
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest { ReplyPadding = 4096 }, EchoReply.Parser, In(5000)));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task MalformedProtobuf_IsInvalidArgument()
    {
        // Field 1 (length-delimited) claims 5 bytes but only 1 follows.
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, RawGrpcRequest.Frame(0, [0x0A, 0x05, 0x01]));
        Assert.Equal("3", response.Header("grpc-status"));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task CompressedFlagWithoutEncoding_IsInternal()
    {
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, RawGrpcRequest.Frame(1, [0x0A, 0x00]));
        Assert.Equal("13", response.Header("grpc-status"));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task CompressedWithUnsupportedEncoding_IsUnimplemented_AndAdvertisesIdentity()
    {
        var headers = new Dictionary<string, string> { ["grpc-encoding"] = "gzip" };
        var response = await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, RawGrpcRequest.Frame(1, [0x0A, 0x00]), headers: headers);
        Assert.Equal("12", response.Header("grpc-status"));
        Assert.Equal("identity", response.Header("grpc-accept-encoding"));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task NonAsciiStatusMessage_RoundTripsPercentEncoded()
    {
        const string detail = "Überlast ⚡ 100% — Netz 🔌";
        using var channel = server.CreateChannel();
        var request = new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = detail };
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Fail", request, EchoReply.Parser, In(5000)));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(detail, ex.Detail);

        var raw = await RawGrpcRequest.SendAsync(server.Http2Address, "/p2pe.test.Echo/Fail", RawGrpcRequest.Frame(0, request.ToByteArray()));
        Assert.Equal(GrpcStatusMessage.Encode(detail), raw.Header("grpc-message"));
        Assert.All(raw.Header("grpc-message")!, c => Assert.InRange(c, '\x20', '\x7E'));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task HandlerException_IsInternalWithGenericMessage_AndDetailsAreLogged()
    {
        using var channel = server.CreateChannel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Fail", new EchoRequest(), EchoReply.Parser, In(5000)));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(server.LoggedErrors, line => line.Contains(EchoService.SecretDetail, StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerKeepsServing_AfterEveryKindOfFailure()
    {
        using var channel = server.CreateChannel();
        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Fail", new EchoRequest(), EchoReply.Parser, In(5000)));
        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Nope", new EchoRequest(), EchoReply.Parser, In(5000)));
        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest { DelayMs = 5000 }, EchoReply.Parser, In(100)));
        await RawGrpcRequest.SendAsync(server.Http2Address, UnaryPath, RawGrpcRequest.Frame(0, [0xFF, 0xFF]));

        var reply = await channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest { Text = "still here" }, EchoReply.Parser, In(5000));
        Assert.Equal("still here", reply.Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task UnreachableNode_IsUnavailable_NamingTheAddress()
    {
        // A port that was just free: bind it, note it, release it.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        using var channel = new RpcChannel(new Uri($"http://127.0.0.1:{port}"));
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoService.Name, "Unary", new EchoRequest(), EchoReply.Parser, In(5000)));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", ex.Detail, StringComparison.Ordinal);
    }
}
