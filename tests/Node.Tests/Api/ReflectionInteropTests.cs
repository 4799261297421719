using P2PEnergy.Node.Tests.Hosting;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>
/// tests/interop/reflection-client.js, a grpc-js client with none of our .proto files, lists the node's services
/// through server reflection (grpc-reflection-js) and calls GetNodeStatus with types built from the reflected descriptor.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReflectionInteropTests
{
    [InteropFact(Timeout = 120_000)]
    public async Task GrpcJs_WithoutProtos_ListsEveryServiceByReflection_AndCallsTheLedger()
    {
        using var directory = new NodeDirectory();
        await using var host = directory.CreateHost(heartbeatMs: 200);
        using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await host.StartAsync(startup.Token);

        using var report = await InteropScript.RunAsync("reflection-client.js", [$"{host.Address.Host}:{host.Address.Port}"], TimeSpan.FromSeconds(60));
        var root = report.RootElement;

        var services = root.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Subset(services.ToHashSet(), new HashSet<string?> { "p2pe.v1.Ledger", "p2pe.v1.Settlement", "p2pe.v1.Devices", "p2pe.v1.Grid", "grpc.health.v1.Health" });
        var methods = root.GetProperty("ledgerMethods").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(["GetAccount", "GetBlock", "GetContract", "GetContractProof", "GetMeter", "GetNodeStatus", "GetOffers", "ListContracts", "ListDelegators", "ListMeters", "ListMisbehaviour",
            "QuoteContract", "StreamBlocks", "SubmitTransaction", "SubmitTransactions", "WatchTransaction"], methods);
        Assert.Equal(LedgerHarness.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("nodeStatus").GetProperty("chainId").GetString());
    }
}
