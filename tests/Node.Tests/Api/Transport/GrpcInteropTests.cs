using System.Text.Json;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>
/// Wire compatibility with a standard gRPC client: tests/interop/grpc-echo-client.js (@grpc/grpc-js, h2c with
/// prior knowledge) calls the in-process echo server, and its JSON report is checked here.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GrpcInteropTests(EchoServer server) : IClassFixture<EchoServer>
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [InteropFact(Timeout = 90_000)]
    public async Task GrpcJsClient_SeesTheStatusesAndMessagesTheSpecPrescribes()
    {
        using var report = await RunClientAsync();
        var root = report.RootElement;

        AssertCall(root, "unary", StatusCode.OK);
        Assert.Equal("flow book", root.GetProperty("unary").GetProperty("text").GetString());

        AssertCall(root, "stream", StatusCode.OK);
        Assert.Equal(["dmo#0", "dmo#1", "dmo#2"], root.GetProperty("stream").GetProperty("texts").EnumerateArray().Select(t => t.GetString()));

        AssertCall(root, "unknownMethod", StatusCode.Unimplemented);
        AssertCall(root, "deadline", StatusCode.DeadlineExceeded);

        AssertCall(root, "nonAsciiFailure", StatusCode.FailedPrecondition);
        Assert.Equal("Überlast ⚡ 100%", root.GetProperty("nonAsciiFailure").GetProperty("details").GetString());

        AssertCall(root, "handlerException", StatusCode.Internal);
        Assert.DoesNotContain("secret", root.GetProperty("handlerException").GetProperty("details").GetString(), StringComparison.OrdinalIgnoreCase);

        AssertCall(root, "afterFailures", StatusCode.OK);

        var raw = root.GetProperty("rawTrailersOnly");
        Assert.True(raw.TryGetProperty("endStream", out var endStream), raw.ToString());
        Assert.Equal(200, raw.GetProperty("status").GetInt32());
        Assert.Equal("12", raw.GetProperty("grpcStatus").GetString());
        Assert.True(endStream.GetBoolean(), $"Trailers-Only must be one HEADERS frame with END_STREAM: {raw}");
        Assert.False(raw.GetProperty("separateTrailers").GetBoolean(), raw.ToString());
    }

    private static void AssertCall(JsonElement root, string call, StatusCode expected)
    {
        var code = root.GetProperty(call).GetProperty("code").GetInt32();
        Assert.True((int)expected == code, $"{call}: expected {expected}, grpc-js saw {(StatusCode)code} ({root.GetProperty(call)})");
    }

    private Task<JsonDocument> RunClientAsync()
        => InteropScript.RunAsync("grpc-echo-client.js", [$"{server.Http2Address.Host}:{server.Http2Address.Port}"], ScriptTimeout);
}
