using System.Collections.Frozen;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Protos;
using StatusCode = Grpc.Core.StatusCode;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Grpc.AspNetCore refuses some requests before any handler or interceptor runs, with texts that name neither the
/// limit nor the message type. This middleware rewrites those answers as they leave into refusals like every other
/// (a message naming the limit or the expected type, and the reason code as ErrorInfo):
/// an oversized request (RESOURCE_EXHAUSTED, MESSAGE_TOO_LARGE) and a body that is not the method's request message
/// (the library's UNKNOWN becomes INVALID_ARGUMENT, MALFORMED_REQUEST). A handler's own failures never look like the
/// latter: <see cref="ApiCallInterceptor"/> turns every unexpected exception into INTERNAL.
/// </summary>
public static class LibraryRefusals
{
    /// <summary>Grpc.AspNetCore's text for a request message over MaxReceiveMessageSize.</summary>
    internal const string TooLargeText = "Received message exceeds the maximum configured message size.";

    /// <summary>Grpc.AspNetCore's text for an exception outside any handler (here: the request did not parse).</summary>
    internal const string UnknownText = "Exception was thrown by handler.";

    /// <summary>What the client reads for an oversized request.</summary>
    public static readonly string TooLargeMessage = string.Create(CultureInfo.InvariantCulture,
        $"the request message exceeds the node's limit of {ApiLimits.MaxMessageBytes:N0} bytes (ApiLimits.MaxMessageBytes); split it (SubmitTransactions takes at most {LedgerService.MaxBatch} envelopes)");

    private static readonly (string Message, string Details) TooLarge = Encode(ApiReasons.MessageTooLarge, TooLargeMessage);

    // Path "/p2pe.v1.Ledger/SubmitTransaction" → the refusal naming its request type.
    private static readonly FrozenDictionary<string, (string Message, string Details)> Malformed =
        new[] { LedgerApiReflection.Descriptor, GridApiReflection.Descriptor, SettlementReflection.Descriptor }
            .SelectMany(file => file.Services).SelectMany(service => service.Methods)
            .ToFrozenDictionary(method => $"/{method.Service.FullName}/{method.Name}", MalformedRefusal, StringComparer.Ordinal);

    private static readonly Func<object, Task> Rewrite = state =>
    {
        var http = (HttpContext)state;
        var headers = http.Response.Headers;
        // A refusal before any response message is trailers-only: grpc-status travels in the headers.
        var status = headers["grpc-status"];
        if (status == "8" && headers["grpc-message"] == TooLargeText) Replace(headers, StatusCode.ResourceExhausted, TooLarge);
        else if (status == "2" && headers["grpc-message"] == UnknownText && Malformed.TryGetValue(http.Request.Path.Value ?? "", out var malformed))
            Replace(headers, StatusCode.InvalidArgument, malformed);
        return Task.CompletedTask;
    };

    /// <summary>Middleware in front of the gRPC endpoints.</summary>
    public static Task Middleware(HttpContext http, RequestDelegate next)
    {
        if (http.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.Ordinal))
            http.Response.OnStarting(Rewrite, http);
        return next(http);
    }

    private static (string, string) MalformedRefusal(MethodDescriptor method) => Encode(ApiReasons.MalformedRequest,
        $"the request body of {method.Service.FullName}/{method.Name} is not a valid {method.InputType.FullName} message");

    private static void Replace(IHeaderDictionary headers, StatusCode status, (string Message, string Details) refusal)
    {
        headers["grpc-status"] = ((int)status).ToString(CultureInfo.InvariantCulture);
        headers["grpc-message"] = Uri.EscapeDataString(refusal.Message);
        headers["grpc-status-details-bin"] = refusal.Details;
    }

    // Binary metadata is unpadded base64 (gRPC over HTTP/2, "Custom-Metadata").
    private static (string Message, string Details) Encode(ApiReason reason, string message)
        => (message, Convert.ToBase64String(Refusal.Status(reason, message).ToByteArray()).TrimEnd('='));
}
