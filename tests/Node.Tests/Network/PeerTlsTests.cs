using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// The peer endpoint with TLS (Node:Peer:Tls): two validators, each with a self-signed certificate of its own, dial each
/// other over https and decide blocks that need both of their votes. Peers are authenticated by their node keys, so no
/// certificate authority is needed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PeerTlsTests : IAsyncLifetime
{
    private readonly PeerCluster _cluster = new(validators: 2);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TwoValidatorsWithSelfSignedCertificates_ConnectOverTls_AndDecideBlocksNeedingBoth()
    {
        var hosts = new List<NodeHost>();
        for (int i = 0; i < 2; i++)
        {
            TestCertificate.Create(Path.Combine(_cluster.Data[i].Path, "tls"));
            hosts.Add(await _cluster.StartAsync(i, settings: new Dictionary<string, string?>
            {
                ["Node:Peer:Tls:CertificateFile"] = "tls/node.crt", ["Node:Peer:Tls:KeyFile"] = "tls/node.key",
            }));
        }
        Assert.All(hosts, h => Assert.Equal("https", h.PeerAddress!.Scheme));
        await PeerCluster.WaitForAsync(() => hosts.All(h => PeerCluster.Height(h) >= 3), TimeSpan.FromSeconds(60), () => $"heights {string.Join(", ", hosts.Select(PeerCluster.Height))}");
        Assert.All(hosts, h => Assert.Single(h.Peers!.Peers));
    }
}
