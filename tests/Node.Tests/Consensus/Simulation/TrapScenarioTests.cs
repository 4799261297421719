using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>The known traps of Tendermint, each scripted as a story and run with every property checked.</summary>
public sealed class TrapScenarioTests
{
    [Fact]
    public void ValidatorCrashesAtAHeight_TheOthersDecideItWithinTwoRounds()
        => Sim.Network(4).Crash(node: 3).AtHeight(5)
            .Run(untilHeight: 6)
            .ExpectDecisionWithin(rounds: 2, atHeight: 5);

    [Fact]
    public void ProposerCrashesAfterReachingAMinority_NextRoundDecides()
    {
        var run = Sim.Network(4).CrashProposer(height: 3, reaching: 1, restartAfterSeconds: 5)
            .Run(untilHeight: 5)
            .ExpectDecisionWithin(rounds: 2, atHeight: 3);
        int proposer = Sim.ProposerOf(4, 3, 0);
        Assert.Equal(1, run.Sim.Nodes[proposer].Crashes);
        Assert.True(run.Sim.Nodes[proposer].App.Height >= 5, "the crashed proposer caught up from its WAL and its peers");
    }

    [Fact]
    public void ConflictingProposalsDuringAPartition_OneBlockPerHeight()
    {
        // The proposer of height 1 round 0 equivocates while the honest nodes are split two and one.
        int byzantine = Sim.ProposerOf(4, 1, 0);
        var honest = Enumerable.Range(0, 4).Where(i => i != byzantine).ToArray();
        var run = Sim.Network(4).Byzantine(byzantine, Fault.Equivocator)
            .Partition([honest[0], honest[1]], fromSeconds: 0, untilSeconds: 12)
            .Run(untilHeight: 4)
            .ExpectSafeAndLive();
        Assert.Contains(run.Sim.Evidence, e => e is DuplicateProposalEvidence);
        Assert.Contains(run.Sim.Evidence, e => e is DuplicateVoteEvidence);
    }

    [Fact]
    public void HiddenLock_ValidatorLockedOnAValueNobodySawAPolkaFor_NoForkAndProgress()
    {
        // Round 0 of height 1: D never gets the proposal (so prevotes nil), and B's prevote reaches nobody. B alone sees
        // the polka (its own prevote and two others) and locks; the others see 2 of 4 for the value and precommit nil.
        int proposer = Sim.ProposerOf(4, 1, 0);
        var others = Enumerable.Range(0, 4).Where(i => i != proposer).ToArray();
        int b = others[0], d = others[1];
        var run = Sim.Network(4)
            .Drop("round-0 proposal to D", e => e.Height == 1 && e.Round == 0 && e.IsProposal && e.To == d)
            .Drop("B's round-0 prevote", e => e.Height == 1 && e.Round == 0 && e.IsPrevote && e.From == b)
            .Run(untilHeight: 3)
            .ExpectSafeAndLive();
        Assert.Contains(run.Sim.Nodes[b].Locks, l => l.Height == 1 && l.Round == 0);
        Assert.All(Enumerable.Range(0, 4).Where(i => i != b), i => Assert.DoesNotContain(run.Sim.Nodes[i].Locks, l => l.Height == 1 && l.Round == 0));
        Assert.True(run.Sim.Nodes[b].DecisionRounds[1] > 0, "round 0 cannot decide: only B precommitted the value");
    }

    [Fact]
    public void ValidatorJoinsAtHPlusTwo_SignsFromThatHeightOnly()
    {
        const int joiner = 4;
        var run = Sim.Network(4).Observers(1).AddValidator(node: joiner, power: 1).AtHeight(2)
            .Run(untilHeight: 8)
            .ExpectSafeAndLive();
        ulong committedAt = run.HeightOfFirstValidatorChange();
        var app = run.Sim.Nodes[0].App;
        Assert.False(app.ValidatorsAt(committedAt + 1).Contains(Simulation.AddressOf(joiner)));
        Assert.True(app.ValidatorsAt(committedAt + 2).Contains(Simulation.AddressOf(joiner)));
        var votes = run.VoteHeightsOf(joiner);
        Assert.DoesNotContain(votes, h => h < committedAt + 2);
        Assert.Contains(committedAt + 2, votes);
        // From H + 2 the header commits to the five-validator set and commits are counted against it.
        Assert.Equal(P2PEnergy.Node.Consensus.ValidatorSetHash.Of(app.ValidatorsAt(committedAt + 2)),
            Hash32.FromBytes(app.CommittedBlock(committedAt + 2)!.Header.ValidatorSetHash.Span));
        Assert.Contains(Enumerable.Range((int)committedAt + 2, 8 - (int)committedAt - 1),
            h => run.CommitAt((ulong)h).Signatures.Any(s => s.Validator.Span.SequenceEqual(Simulation.AddressOf(joiner).Bytes)));
    }

    [Fact]
    public void FiftyRoundsWithoutAProposal_TimeoutsGrowThenCap_ThenTheHeightIsDecided()
    {
        const int silentRounds = 50;
        var run = Sim.Network(4)
            .Drop("every proposal of height 1 before round 50", e => e.Height == 1 && e.IsProposal && e.Round < silentRounds)
            .Run(untilHeight: 2, limitSeconds: 1200)
            .ExpectSafeAndLive();
        var node = run.Sim.Nodes.First(n => Sim.ProposerOf(4, 1, silentRounds) != n.Index);
        var propose = node.Timeouts.Where(t => t.Timeout.Height == 1 && t.Timeout.Step == Step.Propose).ToDictionary(t => t.Timeout.Round, t => t.After);
        var precommit = node.Timeouts.Where(t => t.Timeout.Height == 1 && t.Timeout.Step == Step.Precommit).GroupBy(t => t.Timeout.Round).ToDictionary(g => g.Key, g => g.First().After);
        for (int round = 0; round < silentRounds; round++)
        {
            int steps = Math.Min(round, 10);
            Assert.Equal(TimeSpan.FromMilliseconds(3000 + 500 * steps), propose[round]);
            Assert.Equal(TimeSpan.FromMilliseconds(1000 + 500 * steps), precommit[round]);
        }
        Assert.Equal(TimeSpan.FromSeconds(8), propose[silentRounds]); // capped since round 10
        Assert.All(run.Sim.Nodes, n => Assert.Equal(silentRounds, n.DecisionRounds[1]));
        Assert.All(run.Sim.Nodes, n => Assert.Equal(0, n.DecisionRounds[2])); // and the next height is quick again
    }
}
