namespace P2PEnergy.Node.Api.Transport;

/// <summary>One registered method: its path and how to run it against a call.</summary>
internal abstract class GrpcMethodHandler
{
    protected GrpcMethodHandler(string service, string method)
    {
        Path = Contracts.Rpc.GrpcProtocol.Path(service, method);
    }

    /// <summary>"/package.Service/Method".</summary>
    public string Path { get; }

    /// <summary>Reads the request, runs the application handler and writes its response messages.</summary>
    public abstract Task InvokeAsync(GrpcServerCall call);
}
