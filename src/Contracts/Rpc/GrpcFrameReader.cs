using System.IO.Pipelines;

namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// Reads Length-Prefixed-Messages one at a time from a request or response body. DATA frame boundaries
/// bear no relation to message boundaries (PROTOCOL-HTTP2.md "Data Frames"), so bytes are buffered until a
/// whole message is present.
/// </summary>
public sealed class GrpcFrameReader
{
    private readonly PipeReader _reader;
    private readonly int _maxMessageSize;

    public GrpcFrameReader(PipeReader reader, int maxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageSize);
        _reader = reader;
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>Reads frames from a stream; the stream stays owned by the caller.</summary>
    public static GrpcFrameReader FromStream(Stream stream, int maxMessageSize) =>
        new(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), maxMessageSize);

    /// <summary>
    /// The next frame, or null at a clean end of stream. A stream that ends inside a message is INTERNAL
    /// (a truncated frame is a transport failure, not a bad argument); an oversized one RESOURCE_EXHAUSTED.
    /// </summary>
    public async ValueTask<GrpcFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (GrpcFraming.TryReadFrame(ref buffer, _maxMessageSize, out var frame))
                {
                    _reader.AdvanceTo(buffer.Start);
                    return frame;
                }
            }
            catch
            {
                _reader.AdvanceTo(buffer.Start);
                throw;
            }

            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                _reader.AdvanceTo(buffer.End);
                return leftover == 0
                    ? null
                    : throw new RpcException(StatusCode.Internal, $"Incomplete message: the stream ended {leftover} bytes into a message.");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
