using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Storage;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// Issue 15: an observer follows consensus the way a validator does — it sees its validator peers' proposals and votes
/// and decides each height itself, never voting — so once caught up it stays at the tip, and block sync (with its
/// "catching up" readiness) is only for a real gap.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ObserverFollowingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ObserverCaughtUpByBlockSync_ThenDecidesEveryHeightByConsensus_WithoutBlockSync_AndStaysReady()
    {
        // Nodes 0 and 1 validate; node 2 is an observer (no validator key) whose node key both list.
        await using var cluster = new PeerCluster(validators: 2, extra: 1);
        var observerData = new DataDirectory(cluster.Data[2].Path + "-observer");
        NodeInitializer.InitializeObserver(cluster.GenesisFile, observerData);
        File.Copy(cluster.Data[2].NodeKeyFile, observerData.NodeKeyFile, overwrite: true);
        cluster.Data[2] = observerData;

        // The validators pace heights at 500 ms: block sync starts only when peers are two heights ahead, so the "it decides
        // each height itself" check below needs a starved observer to fall a full second behind before it can fail falsely.
        var validator = await cluster.StartAsync(0, dials: [1], heartbeatMs: 500);
        await cluster.StartAsync(1, dials: [0], heartbeatMs: 500);
        // The observer joins late: block sync brings it to the tip first (consensus paused, then resumed). Its own pacing
        // timer is far off (a long heartbeat here; a clock behind the proposers' does the same), so it starts each height
        // when its peers' messages show the height started, as it must when the validators are busier than it is.
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(validator) >= 8, Bound, () => $"validator 0 at {PeerCluster.Height(validator)}");
        var syncStates = new List<string?>();
        var observer = await cluster.StartAsync(2, dials: [0, 1], heartbeatMs: 60_000,
            beforeStart: host => host.Peers!.Sync.StateChanged += state => { lock (syncStates) syncStates.Add(state); });
        await PeerCluster.WaitForAsync(() => observer.Peers!.Sync.Applied > 0 && !observer.Peers.Sync.CatchingUp && PeerCluster.Height(observer) + 1 >= PeerCluster.Height(validator),
            Bound, () => $"observer at {PeerCluster.Height(observer)} ({observer.Peers!.Sync.Applied} blocks synced), validator 0 at {PeerCluster.Height(validator)}");
        // Messages of the height in progress while it was paused were lost: that height may still come by block sync.
        ulong resumed = PeerCluster.Height(observer);
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(observer) >= resumed + 3, Bound, () => $"observer at {PeerCluster.Height(observer)}, resumed at {resumed}");

        // Caught up: from here on it decides each height itself.
        long synced = observer.Peers!.Sync.Applied;
        lock (syncStates) syncStates.Clear();
        ulong from = PeerCluster.Height(observer), to = from + 20;
        var notReady = new List<string>();
        await PeerCluster.WaitForAsync(() =>
        {
            if (observer.Readiness.Check() is (false, var reason)) notReady.Add(reason);
            return PeerCluster.Height(observer) >= to;
        }, Bound, () => $"observer at {PeerCluster.Height(observer)}, waiting for {to}");

        long applied = observer.Peers.Sync.Applied - synced;
        lock (syncStates)
        {
            output.WriteLine($"heights {from}..{to}: block sync applied {applied}; sync states: {string.Join(" | ", syncStates.Select(s => s ?? "(caught up)"))}");
            Assert.Empty(syncStates);
        }
        Assert.Equal(0, applied);
        Assert.Empty(notReady);
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(validator) >= to, Bound, () => $"validator 0 at {PeerCluster.Height(validator)}");
        Assert.Equal(BlockOf(validator, to), BlockOf(observer, to));
    }

    private static P2PEnergy.Contracts.Protos.Block BlockOf(NodeHost host, ulong height) => host.Services.GetRequiredService<ILedgerStore>().GetBlock(height)!;
}
