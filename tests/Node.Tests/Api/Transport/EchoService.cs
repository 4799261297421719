using Google.Protobuf;
using Microsoft.AspNetCore.Routing;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Api.Transport;
using P2PEnergy.Node.Tests.Api.Transport.Echo;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>Handlers of the test-only p2pe.test.Echo service, written as application handlers would be.</summary>
internal static class EchoService
{
    public const string Name = "p2pe.test.Echo";

    /// <summary>Text of the exception the Fail method throws; it must never reach a client.</summary>
    public const string SecretDetail = "secret ledger state: balance=42";

    public static IEndpointRouteBuilder MapEcho(this IEndpointRouteBuilder endpoints) => endpoints
        .MapGrpcUnary<EchoRequest, EchoReply>(Name, "Unary", EchoRequest.Parser, UnaryAsync)
        .MapGrpcServerStreaming<EchoRequest, EchoReply>(Name, "ServerStream", EchoRequest.Parser, ServerStreamAsync)
        .MapGrpcUnary<EchoRequest, EchoReply>(Name, "Fail", EchoRequest.Parser, Fail);

    private static async Task<EchoReply> UnaryAsync(EchoRequest request, ServerCallContext context)
    {
        await Task.Delay(request.DelayMs, context.CancellationToken);
        return new EchoReply { Text = request.Text, Padding = ByteString.CopyFrom(new byte[request.ReplyPadding]) };
    }

    private static async Task ServerStreamAsync(EchoRequest request, IServerStreamWriter<EchoReply> writer, ServerCallContext context)
    {
        for (var i = 0; i < request.Repeat; i++)
        {
            await Task.Delay(request.DelayMs, context.CancellationToken);
            await writer.WriteAsync(new EchoReply { Text = $"{request.Text}#{i}", Index = i });
        }

        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
        }
    }

    private static Task<EchoReply> Fail(EchoRequest request, ServerCallContext context) =>
        request.FailCode == 0
            ? throw new InvalidOperationException(SecretDetail)
            : throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
}
