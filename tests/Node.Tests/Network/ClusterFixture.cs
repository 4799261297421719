using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Tests.Ledger;
using Xunit;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// One network of real processes shared by the fault tests of a class (starting five nodes costs tens of seconds on
/// shared cores): four validators and an observer, peer frames capped at 1 MiB so an oversized frame is cheap to send,
/// and <see cref="Intruder"/>'s node key admitted as an observer so a test can speak the peer protocol. Each test starts
/// from <see cref="HealthyAsync"/>. At the end every node is stopped and <c>p2pe-node verify</c> replays every data
/// directory; nodes that stopped at the same height must hold the same app hash (a failure fails the test class).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The node key of the tests' own peer connections (not a validator, listed as an observer).</summary>
    public static readonly PrivateKey Intruder = LedgerHarness.Key(90);

    public ProcessCluster Cluster { get; } = new(validators: 4, observer: true,
        new Dictionary<string, string> { ["Peer__MaxMessageBytes"] = (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        [Intruder.Address]);

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAllAsync();
        await Cluster.WaitForHeightAsync(Enumerable.Range(0, Cluster.Count), 2, TimeSpan.FromSeconds(60));
    }

    /// <summary>Every link healed, every node running and all of them at least two heights past where the highest was.</summary>
    public async Task HealthyAsync(TimeSpan timeout)
    {
        Cluster.Heal();
        await Cluster.StartAllAsync();
        ulong top = (await Cluster.StatusesAsync()).Max(s => s?.Height ?? 0);
        await Cluster.WaitForHeightAsync(Enumerable.Range(0, Cluster.Count), top + 2, timeout);
    }

    public async Task DisposeAsync()
    {
        try
        {
            var verified = await Cluster.StopAndVerifyAllAsync();
            foreach (var group in verified.GroupBy(v => v.Height))
                if (group.Select(v => v.AppHash).Distinct().Count() > 1)
                    throw new Xunit.Sdk.XunitException($"nodes stopped at height {group.Key} hold different app hashes: {string.Join(", ", group.Select(v => v.AppHash))}");
        }
        finally { await Cluster.DisposeAsync(); }
    }
}
