namespace P2PEnergy.Contracts.Rpc;

/// <summary>Header names and values of the gRPC-over-HTTP/2 wire protocol (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string ProtoContentType = "application/grpc+proto";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";

    /// <summary>":path" → "/" Service-Name "/" method name; the path is case-sensitive.</summary>
    public static string Path(string service, string method)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(method);
        return "/" + service + "/" + method;
    }

    /// <summary>
    /// True for "application/grpc" and its "+proto" form (parameters after ';' ignored). "+json" and other
    /// custom subtypes are gRPC but not protobuf, which is all this layer speaks.
    /// </summary>
    public static bool IsProtobufContentType(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals(ProtoContentType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the media type begins with "application/grpc" (the spec's test for 415).</summary>
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase);
}
