namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// This layer supports no message compression ("identity" only). What a peer gets for a compressed message
/// follows grpc/grpc doc/compression.md, which gives different codes per side and per cause.
/// </summary>
public static class GrpcCompression
{
    /// <summary>The only encoding supported, advertised in <c>grpc-accept-encoding</c>.</summary>
    public const string Identity = "identity";

    /// <summary>
    /// Throws unless <paramref name="frame"/> is uncompressed. <paramref name="grpcEncoding"/> is the
    /// peer's <c>grpc-encoding</c> header; <paramref name="receivedByServer"/> picks the side's rule.
    /// </summary>
    public static void EnsureUncompressed(GrpcFrame frame, string? grpcEncoding, bool receivedByServer)
    {
        if (!frame.Compressed)
        {
            return;
        }

        if (string.IsNullOrEmpty(grpcEncoding) || grpcEncoding == Identity)
        {
            // compression.md test case 6: flag set without a grpc-encoding other than identity → INTERNAL.
            throw new RpcException(StatusCode.Internal, "Invalid Compressed-Flag: message is flagged compressed but grpc-encoding is identity or absent.");
        }

        // compression.md: an unsupported algorithm is UNIMPLEMENTED at the server, INTERNAL at the client.
        throw new RpcException(
            receivedByServer ? StatusCode.Unimplemented : StatusCode.Internal,
            $"Message compression '{grpcEncoding}' is not supported; supported: {Identity}.");
    }
}
