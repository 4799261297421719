using System.Net;
using System.Net.Http.Headers;
using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// One gRPC request with a body of arbitrary bytes, over HTTP/2 with prior knowledge: for what a well-behaved
/// client (<see cref="RpcChannel"/>) never sends, such as a frame whose payload is not protobuf.
/// </summary>
public static class RawGrpcCall
{
    /// <summary>The 5-byte gRPC prefix (uncompressed, big-endian length) followed by <paramref name="payload"/>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var framed = new byte[GrpcFraming.HeaderSize + payload.Length];
        GrpcFraming.WriteHeader(framed, payload.Length);
        payload.CopyTo(framed.AsSpan(GrpcFraming.HeaderSize));
        return framed;
    }

    /// <summary>POSTs <paramref name="body"/> to <paramref name="path"/> and returns the gRPC status (header or trailer) and its message.</summary>
    public static async Task<(StatusCode Status, string Message)> PostAsync(Uri address, string path, byte[] body, TimeSpan timeout)
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
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"HTTP {(int)response.StatusCode} instead of a gRPC response");
        // Trailers-Only responses carry the status in the headers; otherwise it follows the body as a trailer.
        if (Find(response.Headers, GrpcProtocol.StatusHeader) is not { } status)
        {
            await response.Content.ReadAsByteArrayAsync();
            status = Find(response.TrailingHeaders, GrpcProtocol.StatusHeader) ?? throw new InvalidOperationException("the response carries no grpc-status");
            return ((StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Decode(Find(response.TrailingHeaders, GrpcProtocol.MessageHeader)));
        }
        return ((StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Decode(Find(response.Headers, GrpcProtocol.MessageHeader)));
    }

    private static string? Find(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Decode(string? message) => message is null ? "" : GrpcStatusMessage.Decode(message);
}
