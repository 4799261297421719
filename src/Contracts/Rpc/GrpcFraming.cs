using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// Writes Length-Prefixed-Messages (PROTOCOL-HTTP2.md): a 1-byte Compressed-Flag, a 4-byte big-endian
/// length, then the protobuf bytes. Messages are always sent uncompressed (flag 0).
/// </summary>
public static class GrpcFraming
{
    /// <summary>Compressed-Flag (1 byte) plus Message-Length (4 bytes).</summary>
    public const int HeaderSize = 5;

    /// <summary>The default limit both peers apply to one message, as in grpc-js and Grpc.AspNetCore.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>Writes the 5-byte prefix for an uncompressed message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1, 4), (uint)length);
    }

    /// <summary>Serialises and frames <paramref name="message"/>; RESOURCE_EXHAUSTED when it exceeds the limit.</summary>
    public static byte[] Frame(IMessage message, int maxMessageSize)
    {
        var length = CheckedSize(message, maxMessageSize);
        var framed = new byte[HeaderSize + length];
        WriteHeader(framed, length);
        message.WriteTo(framed.AsSpan(HeaderSize));
        return framed;
    }

    /// <summary>Writes one framed message to <paramref name="writer"/> and flushes it.</summary>
    public static async ValueTask WriteAsync(PipeWriter writer, IMessage message, int maxMessageSize, CancellationToken cancellationToken)
    {
        var length = CheckedSize(message, maxMessageSize);
        var span = writer.GetSpan(HeaderSize + length);
        WriteHeader(span, length);
        message.WriteTo(span.Slice(HeaderSize, length));
        writer.Advance(HeaderSize + length);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one framed message to <paramref name="stream"/>.</summary>
    public static ValueTask WriteAsync(Stream stream, IMessage message, int maxMessageSize, CancellationToken cancellationToken) =>
        stream.WriteAsync(Frame(message, maxMessageSize), cancellationToken);

    /// <summary>
    /// Parses one complete frame from the front of <paramref name="buffer"/>, slicing it off. Throws
    /// RESOURCE_EXHAUSTED as soon as the prefix announces an oversized message, so it is never buffered.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out GrpcFrame frame)
    {
        frame = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var flag = header[0];
        if (flag > 1)
        {
            // Spec: Compressed-Flag → 0 / 1. Anything else means the stream is not gRPC framing at all.
            throw new RpcException(StatusCode.Internal, $"Invalid Compressed-Flag {flag} in message prefix.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            // Same wording as grpc-js and Grpc.AspNetCore, so operators recognise it.
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxMessageSize})");
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        frame = new GrpcFrame(flag == 1, buffer.Slice(HeaderSize, length).ToArray());
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }

    private static int CheckedSize(IMessage message, int maxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(message);
        var length = message.CalculateSize();
        if (length > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({length} vs. {maxMessageSize})");
        }

        return length;
    }
}
