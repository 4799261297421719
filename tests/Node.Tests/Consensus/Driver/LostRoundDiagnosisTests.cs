using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Tests.Consensus.Driver;

/// <summary>
/// A lost round says why (issue 15, rounds above 0 under load): a timeout that moves the machine on is one warning with
/// what this node saw of the round — when its proposal arrived relative to the round's start here, or that none did —
/// and a timeout the machine has already moved past logs nothing. Driven on the manual clock.
/// </summary>
public sealed class LostRoundDiagnosisTests
{
    private static Action ProposeTimer(DriverHarness h) => h.Timers.Single(t => t.After == TimeoutSchedule.Default.For(Step.Propose, 0)).Fire;

    [Fact]
    public void AProposeTimeoutWithNoProposal_IsOneWarning_SayingHowLongTheRoundWaited()
    {
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        Assert.NotEqual(h.Self, h.ProposerIndex(0));
        h.Clock.Advance(TimeSpan.FromMilliseconds(3_000));
        var fire = ProposeTimer(h);
        fire();
        var warning = Assert.Single(h.Log.All);
        Assert.Contains("consensus timeout Propose at height 1 round 0", warning);
        Assert.Contains("no proposal arrived in 3000 ms", warning);
        Assert.Equal(1, h.Driver.LostRounds);

        fire(); // the machine prevoted nil already: this timeout changes nothing and says nothing
        Assert.Single(h.Log.All);
    }

    [Fact]
    public void AProposeTimeoutAfterTheProposalCame_LogsNothing()
    {
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        int proposer = h.ProposerIndex(0);
        h.Clock.Advance(TimeSpan.FromMilliseconds(400));
        var block = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, Simulation.Simulation.AddressOf(proposer));
        h.Receive(h.Proposal(proposer, block, 0), proposer);
        ProposeTimer(h)();
        Assert.Empty(h.Log.All);
        Assert.Equal(0, h.Driver.LostRounds);
    }

    [Fact]
    public void APrevoteTimeout_SaysWhenTheRoundsProposalArrived()
    {
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        int proposer = h.ProposerIndex(0);
        var stamped = h.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var block = h.App.BuildProposal(1, stamped, Simulation.Simulation.AddressOf(proposer));
        h.Clock.Advance(TimeSpan.FromMilliseconds(2_500));
        h.Receive(h.Proposal(proposer, block, 0), proposer);
        // Two other validators prevote nil: with this node's prevote a quorum of prevotes, none for one value.
        foreach (int other in Enumerable.Range(0, 4).Where(i => i != h.Self && i != proposer).Take(2))
            h.Receive(h.Vote(other, 1, 0, Contracts.Protos.VoteType.Prevote, Vote.Nil), other);
        h.Timers.Single(t => t.After == TimeoutSchedule.Default.For(Step.Prevote, 0)).Fire();
        var warning = Assert.Single(h.Log.All);
        Assert.Contains("consensus timeout Prevote at height 1 round 0", warning);
        Assert.Contains("its proposal arrived 2500 ms after the round started here, 2500 ms after its proposer stamped the block", warning);
    }
}
