namespace P2PEnergy.Node.Api.Transport;

/// <summary>The gRPC methods this node serves, keyed by their case-sensitive ":path".</summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, GrpcMethodHandler> _methods = new(StringComparer.Ordinal);

    /// <summary>Paths of the registered methods, "/package.Service/Method".</summary>
    public IReadOnlyCollection<string> Methods => _methods.Keys;

    /// <summary>True once the catch-all endpoint that dispatches to this registry has been mapped.</summary>
    internal bool EndpointMapped { get; set; }

    internal void Add(GrpcMethodHandler handler)
    {
        if (!_methods.TryAdd(handler.Path, handler))
        {
            throw new InvalidOperationException($"gRPC method {handler.Path} is already registered.");
        }
    }

    internal bool TryGet(string path, out GrpcMethodHandler handler) => _methods.TryGetValue(path, out handler!);
}
