using System.Net;
using System.Net.Sockets;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// The process cluster the fault tests run on, where it can go wrong by itself: a peer port chosen free can be taken by
/// another process before the node binds it. The node then exits with AddressInUse; the cluster starts it on another
/// port and points every proxy in front of it there, so its peers still reach it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProcessClusterTests
{
    [Fact]
    public async Task APeerPortTakenBeforeTheNodeBindsIt_TheNodeStartsOnAnother_AndItsPeersReachIt()
    {
        await using var cluster = new ProcessCluster(validators: 2, observer: false);
        await cluster.InitializeAsync();
        int taken = cluster.PeerPorts[0];
        using var squatter = new TcpListener(IPAddress.Loopback, taken);
        squatter.Start();

        await cluster.StartAllAsync();

        Assert.NotEqual(taken, cluster.PeerPorts[0]);
        Assert.Contains($"cannot listen on 127.0.0.1:{taken}: the address is in use", File.ReadAllText(cluster.LogFile(0))); // the first start
        // Two validators of equal power: no height is decided unless each reaches the other, node 0 on its new port.
        await cluster.WaitForHeightAsync([0, 1], 3, TimeSpan.FromSeconds(60));
        await cluster.AssertNoForkAsync();
    }
}
