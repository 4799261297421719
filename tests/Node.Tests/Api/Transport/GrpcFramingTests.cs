using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Tests.Api.Transport.Echo;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>Length-Prefixed-Message framing, PROTOCOL-HTTP2.md "Requests".</summary>
public sealed class GrpcFramingTests
{
    [Fact]
    public void Prefix_IsFlagZeroThenBigEndianLength()
    {
        var framed = GrpcFraming.Frame(new EchoReply { Text = new string('x', 300) }, GrpcFraming.DefaultMaxMessageSize);

        // 300-char string field: tag 0x0A, varint 300 (2 bytes), 300 bytes = 303.
        Assert.Equal(new byte[] { 0, 0, 0, 0x01, 0x2F }, framed[..5]);
        Assert.Equal(5 + 303, framed.Length);
    }

    [Fact]
    public void EmptyMessage_IsFivePrefixBytes()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, GrpcFraming.Frame(new EchoReply(), 16));
    }

    [Fact]
    public void SendingOverLimit_IsResourceExhausted()
    {
        var ex = Assert.Throws<RpcException>(() => GrpcFraming.Frame(new EchoReply { Text = "12345" }, 4));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Messages_SurviveArbitraryChunking(int chunkSize)
    {
        // DATA frame boundaries bear no relation to message boundaries (PROTOCOL-HTTP2.md "Data Frames").
        var sent = new[] { "a", string.Empty, new string('z', 1000) };
        var bytes = sent.SelectMany(t => GrpcFraming.Frame(new EchoReply { Text = t }, 4096)).ToArray();
        var pipe = new Pipe();
        var reader = new GrpcFrameReader(pipe.Reader, 4096);

        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < bytes.Length; i += chunkSize)
            {
                await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(chunkSize, bytes.Length - i)));
            }

            await pipe.Writer.CompleteAsync();
        });

        var received = new List<string>();
        while (await reader.ReadAsync(CancellationToken.None) is { } frame)
        {
            Assert.False(frame.Compressed);
            received.Add(EchoReply.Parser.ParseFrom(frame.Payload).Text);
        }

        await writing;
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task OversizedPrefix_FailsBeforeThePayloadArrives()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0x10, 0, 0 }); // announces 1 MiB, sends nothing more
        var reader = new GrpcFrameReader(pipe.Reader, 1024);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 3, 1, 2 })]
    public async Task StreamEndingMidMessage_IsInternal(byte[] truncated)
    {
        var reader = GrpcFrameReader.FromStream(new MemoryStream(truncated), 1024);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void CompressedFlag_IsReported_AndAnyOtherFlagIsInternal()
    {
        var compressed = new ReadOnlySequence<byte>(new byte[] { 1, 0, 0, 0, 1, 0xAB });
        Assert.True(GrpcFraming.TryReadFrame(ref compressed, 16, out var frame));
        Assert.True(frame.Compressed);
        Assert.Equal(new byte[] { 0xAB }, frame.Payload);

        var bogus = new ReadOnlySequence<byte>(new byte[] { 2, 0, 0, 0, 0 });
        var ex = Assert.Throws<RpcException>(() => GrpcFraming.TryReadFrame(ref bogus, 16, out _));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Theory]
    [InlineData(null, true, StatusCode.Internal)]
    [InlineData("identity", true, StatusCode.Internal)]
    [InlineData("gzip", true, StatusCode.Unimplemented)]
    [InlineData("gzip", false, StatusCode.Internal)]
    public void CompressedMessage_StatusFollowsCompressionMd(string? encoding, bool atServer, StatusCode expected)
    {
        var frame = new GrpcFrame(Compressed: true, Payload: []);
        var ex = Assert.Throws<RpcException>(() => GrpcCompression.EnsureUncompressed(frame, encoding, atServer));
        Assert.Equal(expected, ex.StatusCode);
    }

    [Fact]
    public async Task PipeWriterAndStreamWriters_ProduceTheSameBytes()
    {
        var message = new EchoReply { Text = "dmo", Index = 7, Padding = ByteString.CopyFrom(1, 2, 3) };
        var pipe = new Pipe();
        await GrpcFraming.WriteAsync(pipe.Writer, message, 1024, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var fromPipe = (await pipe.Reader.ReadAsync()).Buffer.ToArray();

        using var stream = new MemoryStream();
        await GrpcFraming.WriteAsync(stream, message, 1024, CancellationToken.None);

        Assert.Equal(GrpcFraming.Frame(message, 1024), fromPipe);
        Assert.Equal(fromPipe, stream.ToArray());
    }
}
