using System.Net;
using System.Net.Http.Headers;
using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>
/// Hand-built HTTP requests for what a well-behaved client never sends (bad framing, wrong content-type,
/// HTTP/1.1), and for looking at the raw response headers and trailers.
/// </summary>
internal static class RawGrpcRequest
{
    public sealed record Response(HttpStatusCode Status, HttpResponseHeaders Headers, HttpResponseHeaders Trailers, byte[] Body)
    {
        public string? Header(string name) => Headers.TryGetValues(name, out var v) ? v.First() : null;

        public string? Trailer(string name) => Trailers.TryGetValues(name, out var v) ? v.First() : null;
    }

    public static byte[] Frame(byte flag, byte[] payload)
    {
        var framed = new byte[GrpcFraming.HeaderSize + payload.Length];
        GrpcFraming.WriteHeader(framed, payload.Length);
        framed[0] = flag;
        payload.CopyTo(framed, GrpcFraming.HeaderSize);
        return framed;
    }

    public static async Task<Response> SendAsync(
        Uri server,
        string path,
        byte[] body,
        string contentType = GrpcProtocol.ContentType,
        Version? version = null,
        HttpMethod? method = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var handler = new SocketsHttpHandler();
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(server, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new Response(response.StatusCode, response.Headers, response.TrailingHeaders, bytes);
    }
}
