using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using static P2PEnergy.Node.Tests.Consensus.Core.CoreHarness;

namespace P2PEnergy.Node.Tests.Consensus.Core;

/// <summary>One test per rule of Algorithm 1 (Buchman, Kwon, Milosevic 2018), named after its lines.</summary>
public sealed class TendermintRuleTests
{
    [Fact]
    public void L10_Start_EntersRoundZeroProposeStep_AndSchedulesTimeoutPropose()
    {
        var h = new CoreHarness();
        Assert.Equal((1UL, 0, Step.Propose), (h.Core.Height, h.Core.Round, h.Core.Step));
        Assert.Equal(TimeSpan.FromSeconds(3), Scheduled(h.Started, Step.Propose));
        Assert.Empty(h.Started.OfType<BuildValue>());
    }

    [Fact]
    public void L18_ProposerWithoutValidValue_AsksForABlock_AndL19ProposesItWithPolRoundMinusOne()
    {
        int proposer = Array.IndexOf(Validators, new ProposerRotation(ValidatorSet.Create(Validators.Take(4).Select(a => (a, 1L)))).At(0));
        var h = new CoreHarness(self: proposer);
        Assert.Equal(new BuildValue(1, 0), Assert.Single(h.Started.OfType<BuildValue>()));
        var proposal = Assert.Single(h.Core.Apply(new ValueBuilt(1, 0, V)).OfType<SignProposal>()).Proposal;
        Assert.Equal(new Proposal(1, 0, V, -1, h.Self), proposal);
    }

    [Fact]
    public void L22_ProposalForFreshValue_PrevotesIt_OnlyAfterExecutingIt()
    {
        var h = new CoreHarness();
        var received = h.Proposal(0, V);
        Assert.Equal(new ExecuteProposal(1, V), Assert.Single(received.OfType<ExecuteProposal>()));
        Assert.Null(CastVote(received, VoteType.Prevote)); // valid(v) is not known yet
        var executed = h.Executed(V);
        Assert.Equal(V, CastVote(executed, VoteType.Prevote)!.Value);
        Assert.Equal(Step.Prevote, h.Core.Step);
    }

    [Fact]
    public void L22_InvalidBlock_PrevotesNil()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        Assert.True(CastVote(h.Executed(V, valid: false), VoteType.Prevote)!.IsNil);
    }

    [Fact]
    public void L22_BlockTimeFarAhead_NotTimely_PrevotesNil()
    {
        var h = new CoreHarness();
        h.Proposal(0, V, timely: false);
        Assert.True(CastVote(h.Executed(V), VoteType.Prevote)!.IsNil);
    }

    [Fact]
    public void L22_LockedOnAnotherValue_PrevotesNil_LockedOnTheSame_PrevotesIt()
    {
        var h = LockedOnVInRoundZero();
        h.Timeout(0, Step.Precommit); // L65: round 1
        h.Proposal(1, W);
        Assert.True(CastVote(h.Executed(W), VoteType.Prevote)!.IsNil);

        var same = LockedOnVInRoundZero();
        same.Timeout(0, Step.Precommit);
        Assert.Equal(V, CastVote(same.Proposal(1, V), VoteType.Prevote)!.Value); // already executed
    }

    [Fact]
    public void L28_ProposalWithPolka_PrevotesIt_WhenLockedInAnEarlierRound()
    {
        var h = LockedOnVInRoundZero();
        h.Timeout(0, Step.Precommit);
        // A polka for W in round 1 that this node missed, then W re-proposed in round 2 with POL round 1.
        h.Votes(h.Others, 1, VoteType.Prevote, W);
        h.Timeout(1, Step.Precommit);
        Assert.Equal(2, h.Core.Round);
        var effects = h.Proposal(2, W, polRound: 1);
        Assert.Null(CastVote(effects, VoteType.Prevote)); // W not executed yet
        Assert.Equal(W, CastVote(h.Executed(W), VoteType.Prevote)!.Value); // lockedRound 0 ≤ vr 1
    }

    [Fact]
    public void L28_WithoutThePolkaItClaims_DoesNotPrevote()
    {
        var h = new CoreHarness();
        h.Timeout(0, Step.Propose);
        h.Timeout(0, Step.Precommit);
        h.Proposal(1, W, polRound: 0);
        Assert.Null(CastVote(h.Executed(W), VoteType.Prevote)); // no 2f+1 prevotes for W in round 0
        Assert.Equal(Step.Propose, h.Core.Step);
    }

    [Fact]
    public void L28_PolkaOlderThanTheLock_OnAnotherValue_PrevotesNil()
    {
        var h = new CoreHarness();
        h.Votes(h.Others.Take(3), 0, VoteType.Prevote, W); // polka for W in round 0, seen but W never proposed here
        h.Timeout(0, Step.Propose);
        h.Timeout(0, Step.Precommit);
        h.Proposal(1, V);
        h.Executed(V);
        h.Votes(h.Others.Take(3), 1, VoteType.Prevote, V); // L36: lock V in round 1
        Assert.Equal((V, 1), (h.Core.LockedValue, h.Core.LockedRound));
        h.Timeout(1, Step.Precommit);
        h.Proposal(2, W, polRound: 0);
        Assert.True(CastVote(h.Executed(W), VoteType.Prevote)!.IsNil); // lockedRound 1 > vr 0 and W ≠ V
    }

    [Fact]
    public void L34_TwoThirdsOfAnyPrevotes_SchedulesPrevoteTimeout_Once()
    {
        var h = new CoreHarness();
        h.Timeout(0, Step.Propose); // prevote nil, step prevote
        var others = h.Others.ToList();
        var first = h.Vote(others[0], 0, VoteType.Prevote, V).Concat(h.Vote(others[1], 0, VoteType.Prevote, W)).ToList();
        Assert.Null(Scheduled(first, Step.Prevote)); // 2 of 4 is not more than 2/3
        var third = h.Vote(others[2], 0, VoteType.Prevote, Vote.Nil);
        Assert.Equal(TimeSpan.FromSeconds(1), Scheduled(third, Step.Prevote));
        Assert.Null(Scheduled(h.Loopback([new SignVote(new Vote(1, 0, VoteType.Prevote, Vote.Nil, h.Self))]), Step.Prevote));
    }

    [Fact]
    public void L36_PolkaForValidProposal_LocksAndPrecommits_AndSetsValidValue()
    {
        var h = LockedOnVInRoundZero();
        Assert.Equal((V, 0, V, 0, Step.Precommit), (h.Core.LockedValue, h.Core.LockedRound, h.Core.ValidValue, h.Core.ValidRound, h.Core.Step));
    }

    [Fact]
    public void L36_PolkaAfterPrecommittingNil_SetsValidValueButDoesNotLock()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        h.Timeout(0, Step.Propose); // prevote nil before the block was executed
        h.Timeout(0, Step.Prevote); // precommit nil
        var others = h.Votes(h.Others, 0, VoteType.Prevote, V).Concat(h.Executed(V)).ToList();
        Assert.Null(CastVote(others, VoteType.Precommit));
        Assert.Equal((Vote.Nil, -1, V, 0), (h.Core.LockedValue, h.Core.LockedRound, h.Core.ValidValue, h.Core.ValidRound));
    }

    [Fact]
    public void L36_PolkaForAnInvalidBlock_DoesNotLock()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        h.Loopback(h.Executed(V, valid: false)); // prevote nil
        var effects = h.Votes(h.Others, 0, VoteType.Prevote, V);
        Assert.Null(CastVote(effects, VoteType.Precommit));
        Assert.Equal(-1, h.Core.LockedRound);
    }

    [Fact]
    public void L44_NilPolka_PrecommitsNil()
    {
        var h = new CoreHarness();
        h.Loopback(h.Timeout(0, Step.Propose));
        var effects = h.Votes(h.Others.Take(2), 0, VoteType.Prevote, Vote.Nil);
        Assert.True(CastVote(effects, VoteType.Precommit)!.IsNil);
        Assert.Equal(Step.Precommit, h.Core.Step);
    }

    [Fact]
    public void L47_TwoThirdsOfAnyPrecommits_SchedulesPrecommitTimeout_Once()
    {
        var h = new CoreHarness();
        var others = h.Others.ToList();
        h.Vote(others[0], 0, VoteType.Precommit, V);
        h.Vote(others[1], 0, VoteType.Precommit, Vote.Nil);
        var third = h.Vote(others[2], 0, VoteType.Precommit, W);
        Assert.Equal(TimeSpan.FromSeconds(1), Scheduled(third, Step.Precommit));
        Assert.Null(Scheduled(h.Vote(h.SelfIndex, 0, VoteType.Precommit, Vote.Nil), Step.Precommit));
    }

    [Fact]
    public void L49_PrecommitQuorumForAProposal_Decides_EvenFromAnEarlierRound()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        h.Executed(V);
        h.Timeout(0, Step.Prevote);
        h.Timeout(0, Step.Precommit); // this node is in round 1 already
        var decided = h.Votes(h.Others, 0, VoteType.Precommit, V);
        var decide = Assert.Single(decided.OfType<Decide>());
        Assert.Equal((1UL, 0, V, 3), (decide.Height, decide.Round, decide.Value, decide.Precommits.Count));
        Assert.Equal(V, h.Core.Decision);
        Assert.Empty(h.Timeout(1, Step.Propose)); // decided: the height waits for BlockCommitted
    }

    [Fact]
    public void L49_PrecommitQuorumBeforeTheBlockIsExecuted_DecidesOnceItIsValid()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        Assert.Empty(h.Votes(h.Others, 0, VoteType.Precommit, V).OfType<Decide>()); // L50: valid(v) unknown yet
        Assert.Single(h.Executed(V).OfType<Decide>());
    }

    [Fact]
    public void L49_PrecommitQuorumForAnInvalidBlock_NeverDecides()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        h.Executed(V, valid: false);
        Assert.Empty(h.Votes(h.Others, 0, VoteType.Precommit, V).OfType<Decide>());
        Assert.Null(h.Core.Decision);
    }

    [Fact]
    public void L49_CommitCertificate_Decides_EvenWhenThisNodeCountedAnEquivocatorsOtherVoteFirst()
    {
        var h = new CoreHarness();
        var others = h.Others.ToList();
        h.Vote(others[0], 0, VoteType.Precommit, Vote.Nil); // the equivocator's nil precommit arrives first
        var certificate = others.Select(i => h.Signed(i, 0, VoteType.Precommit, V)).ToList();
        var effects = h.Core.Apply(new CommitReceived(1, 0, V, certificate));
        Assert.Contains(effects, e => e is ReportEvidence { Evidence: DuplicateVoteEvidence });
        Assert.Single(effects.OfType<ExecuteProposal>());
        var decide = Assert.Single(h.Executed(V).OfType<Decide>());
        Assert.Equal(3, decide.Precommits.Count);
    }

    [Fact]
    public void L49_CommitCertificateBelowTwoThirds_IsRejected()
    {
        var h = new CoreHarness();
        var certificate = h.Others.Take(2).Select(i => h.Signed(i, 0, VoteType.Precommit, V)).ToList();
        var rejected = Assert.Single(h.Core.Apply(new CommitReceived(1, 0, V, certificate)).OfType<InputRejected>());
        Assert.Contains("2 of 4 power", rejected.Reason);
    }

    [Fact]
    public void L52_BlockCommitted_StartsTheNextHeight_WithLocksReset_AndBufferedMessages()
    {
        var h = LockedOnVInRoundZero();
        var early = h.Signed(h.Others.First(), 0, VoteType.Prevote, W) with { Vote = new Vote(2, 0, VoteType.Prevote, W, Validators[h.Others.First()]) };
        Assert.Empty(h.Core.Apply(new VoteReceived(early))); // height 2 is one ahead: kept for later
        h.Core.Apply(new BlockCommitted(1, h.Set.Next()));
        Assert.Equal((2UL, 0, Step.Propose, -1, -1), (h.Core.Height, h.Core.Round, h.Core.Step, h.Core.LockedRound, h.Core.ValidRound));
        Assert.Equal(1, h.Core.Votes.Of(0, VoteType.Prevote).Count);
    }

    [Fact]
    public void L55_FPlusOneRoundSkip_OneThirdOfPowerInAHigherRound_StartsIt()
    {
        var h = new CoreHarness();
        var others = h.Others.ToList();
        Assert.Equal(0, h.Core.Round);
        h.Vote(others[0], 5, VoteType.Prevote, Vote.Nil);
        Assert.Equal(0, h.Core.Round); // 1 of 4 is not more than 1/3
        var effects = h.Vote(others[1], 5, VoteType.Precommit, V);
        Assert.Equal((5, Step.Propose), (h.Core.Round, h.Core.Step));
        Assert.Equal(TimeSpan.FromMilliseconds(3000 + 5 * 500), Scheduled(effects, Step.Propose));
    }

    [Fact]
    public void L55_CountsPower_NotValidators()
    {
        // Powers 4, 1, 1, 1 (total 7): the heavy validator alone is more than 1/3; two light ones are not.
        var h = new CoreHarness(powers: [4, 1, 1, 1], self: 3);
        h.Vote(1, 2, VoteType.Prevote, Vote.Nil);
        h.Vote(2, 2, VoteType.Prevote, Vote.Nil);
        Assert.Equal(0, h.Core.Round);
        h.Vote(0, 3, VoteType.Prevote, Vote.Nil);
        Assert.Equal(3, h.Core.Round);
    }

    [Fact]
    public void L57_TimeoutPropose_PrevotesNil()
    {
        var h = new CoreHarness();
        Assert.True(CastVote(h.Timeout(0, Step.Propose), VoteType.Prevote)!.IsNil);
        Assert.Equal(Step.Prevote, h.Core.Step);
        Assert.Empty(h.Timeout(0, Step.Propose)); // only while step = propose
    }

    [Fact]
    public void L61_TimeoutPrevote_PrecommitsNil()
    {
        var h = new CoreHarness();
        h.Timeout(0, Step.Propose);
        Assert.True(CastVote(h.Timeout(0, Step.Prevote), VoteType.Precommit)!.IsNil);
        Assert.Equal(Step.Precommit, h.Core.Step);
    }

    [Fact]
    public void L65_TimeoutPrecommit_StartsTheNextRound_StaleOnesAreIgnored()
    {
        var h = new CoreHarness();
        var effects = h.Timeout(0, Step.Precommit);
        Assert.Equal((1, Step.Propose), (h.Core.Round, h.Core.Step));
        Assert.Equal(TimeSpan.FromMilliseconds(3500), Scheduled(effects, Step.Propose));
        Assert.Empty(h.Timeout(0, Step.Precommit)); // round 0's timeout again: the round moved on
        Assert.Empty(h.Timeout(0, Step.Propose));
    }

    private static CoreHarness LockedOnVInRoundZero()
    {
        var h = new CoreHarness();
        h.Loopback(h.Proposal(0, V));
        var prevoted = h.Executed(V);
        h.Loopback(prevoted);
        var effects = h.Votes(h.Others.Take(2), 0, VoteType.Prevote, V); // with its own prevote: 3 of 4
        Assert.Equal(V, CastVote(effects, VoteType.Precommit)!.Value);
        return h;
    }
}
