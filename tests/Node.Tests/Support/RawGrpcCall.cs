using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// One gRPC request with a body of arbitrary bytes, over HTTP/2 with prior knowledge: for what a well-behaved
/// client never sends, such as a frame whose payload is not protobuf.
/// </summary>
public static class RawGrpcCall
{
    /// <summary>The 5-byte gRPC prefix (uncompressed, big-endian length) followed by <paramref name="payload"/>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var framed = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(framed.AsSpan(5));
        return framed;
    }

    /// <summary>POSTs <paramref name="body"/> to <paramref name="path"/> and returns the gRPC status (header or trailer) and its message.</summary>
    public static async Task<(StatusCode Status, string Message)> PostAsync(Uri address, string path, byte[] body, TimeSpan timeout, string? grpcTimeout = null)
    {
        using var http = new HttpClient { Timeout = timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        // The deadline as the server alone sees it: this client keeps no timer of its own for it.
        if (grpcTimeout is not null) request.Headers.TryAddWithoutValidation("grpc-timeout", grpcTimeout);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"HTTP {(int)response.StatusCode} instead of a gRPC response");
        // Trailers-Only responses carry the status in the headers; otherwise it follows the body as a trailer.
        if (Find(response.Headers, "grpc-status") is not { } status)
        {
            await response.Content.ReadAsByteArrayAsync();
            status = Find(response.TrailingHeaders, "grpc-status") ?? throw new InvalidOperationException("the response carries no grpc-status");
            return ((StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(Find(response.TrailingHeaders, "grpc-message") ?? ""));
        }
        return ((StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(Find(response.Headers, "grpc-message") ?? ""));
    }

    private static string? Find(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
