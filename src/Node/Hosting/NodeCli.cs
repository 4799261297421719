using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Hosting;

/// <summary>The <c>p2pe-node</c> command line.</summary>
public static class NodeCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        app.Logger.LogInformation("secp256k1 backend: {Backend}", Secp256k1.Description);
        app.MapGet("/healthz", () => Results.Text("ok"));
        await app.RunAsync();
        return 0;
    }
}
