using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using static P2PEnergy.Node.Tests.Consensus.Core.CoreHarness;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;

namespace P2PEnergy.Node.Tests.Consensus.Core;

/// <summary>What the machine refuses (and says why), what it reports, and how it resumes after a restart.</summary>
public sealed class TendermintInputTests
{
    [Fact]
    public void Proposal_FromAnyoneButTheRoundsProposer_IsRejectedNamingTheProposer()
    {
        var h = new CoreHarness();
        var wrong = Validators.First(v => v != h.Core.ProposerOf(0));
        var rejected = Assert.Single(h.Proposal(0, V, from: wrong).OfType<InputRejected>());
        Assert.Contains($"proposer of round 0, {h.Core.ProposerOf(0)}", rejected.Reason);
        Assert.Empty(h.Executed(V).OfType<SignVote>());
    }

    [Fact]
    public void Proposal_WithPolRoundNotBelowItsRound_IsRejected()
        => Assert.Contains("polRound 0 must lie in [-1, -1]", Assert.Single(new CoreHarness().Proposal(0, V, polRound: 0).OfType<InputRejected>()).Reason);

    [Fact]
    public void Vote_TooManyRoundsAhead_IsRejected()
        => Assert.Contains("outside [0, 1000]", Assert.Single(new CoreHarness().Vote(1, Tendermint.MaxRoundsAhead + 1, VoteType.Prevote, V).OfType<InputRejected>()).Reason);

    [Fact]
    public void Vote_FromANonValidator_IsRejected()
    {
        var h = new CoreHarness();
        var rejected = Assert.Single(h.Vote(6, 0, VoteType.Prevote, V).OfType<InputRejected>());
        Assert.Contains("is not a validator at height 1", rejected.Reason);
    }

    [Fact]
    public void Vote_OfUnspecifiedType_IsRejected()
        => Assert.Contains("neither prevote nor precommit", Assert.Single(new CoreHarness().Vote(1, 0, VoteType.Unspecified, V).OfType<InputRejected>()).Reason);

    [Fact]
    public void Vote_TwoHeightsAhead_IsRejected_OneAhead_IsKept()
    {
        var h = new CoreHarness();
        var far = h.Signed(1, 0, VoteType.Prevote, V) with { Vote = new Vote(3, 0, VoteType.Prevote, V, Validators[1]) };
        Assert.Contains("more than one ahead", Assert.Single(h.Core.Apply(new VoteReceived(far)).OfType<InputRejected>()).Reason);
    }

    [Fact]
    public void DoubleVote_IsReportedOnce_WithBothSignedVotes()
    {
        var h = new CoreHarness();
        h.Vote(1, 0, VoteType.Prevote, V);
        var evidence = Assert.Single(h.Vote(1, 0, VoteType.Prevote, W).OfType<ReportEvidence>()).Evidence;
        var duplicate = Assert.IsType<DuplicateVoteEvidence>(evidence);
        Assert.Equal((V, W), (duplicate.First.Vote.Value, duplicate.Second.Vote.Value));
        Assert.Empty(h.Vote(1, 0, VoteType.Prevote, W)); // repeated by gossip: reported already
    }

    [Fact]
    public void EquivocatingProposer_IsReported_AndBothBlocksAreExecuted()
    {
        var h = new CoreHarness();
        h.Proposal(0, V);
        var effects = h.Proposal(0, W);
        Assert.IsType<DuplicateProposalEvidence>(Assert.Single(effects.OfType<ReportEvidence>()).Evidence);
        Assert.Equal(new ExecuteProposal(1, W), Assert.Single(effects.OfType<ExecuteProposal>()));
    }

    [Fact]
    public void Observer_FollowsButNeverSigns()
    {
        var set = ValidatorSet.Create(Validators.Take(4).Select(a => (a, 1L)));
        var observer = new Tendermint(Validators[6]);
        observer.Apply(new BlockCommitted(0, set));
        var effects = observer.Apply(new TimeoutFired(new Timeout(1, 0, Step.Propose)));
        Assert.Empty(effects.OfType<SignVote>());
        Assert.False(observer.IsValidator);
        Assert.Equal(Step.Prevote, observer.Step);
    }

    [Fact]
    public void InputBeforeStart_IsRejected()
    {
        var core = new Tendermint(Validators[0]);
        Assert.Contains("has not started", Assert.Single(core.Apply(new TimeoutFired(new Timeout(1, 0, Step.Propose))).OfType<InputRejected>()).Reason);
    }

    [Fact]
    public void BlockCommitted_BelowTheCurrentHeight_IsRejected()
    {
        var h = new CoreHarness(height: 5);
        Assert.Contains("already behind height 5", Assert.Single(h.Core.Apply(new BlockCommitted(3, h.Set)).OfType<InputRejected>()).Reason);
    }

    [Fact]
    public void Resumed_ReissuesWhatTheHostStillOwes()
    {
        var h = new CoreHarness();
        h.Proposal(0, V); // execution requested, no verdict yet
        var resumed = h.Core.Apply(new Resumed());
        Assert.Equal(new ExecuteProposal(1, V), Assert.Single(resumed.OfType<ExecuteProposal>()));
        Assert.Equal(TimeSpan.FromSeconds(3), Scheduled(resumed, Step.Propose));

        h.Executed(V);
        h.Votes(h.Others, 0, VoteType.Precommit, V);
        var decided = h.Core.Apply(new Resumed());
        Assert.Equal(V, Assert.Single(decided.OfType<Decide>()).Value); // decided but not yet committed: commit it
    }

    [Fact]
    public void SameInputs_SameEffects()
    {
        static IReadOnlyList<string> Run()
        {
            var h = new CoreHarness();
            var log = new List<ConsensusEffect>();
            log.AddRange(h.Proposal(0, V));
            log.AddRange(h.Executed(V));
            log.AddRange(h.Votes(h.Others, 0, VoteType.Prevote, V));
            log.AddRange(h.Votes(h.Others, 0, VoteType.Precommit, V));
            return log.Select(e => e.ToString()).ToList();
        }
        Assert.Equal(Run(), Run());
    }
}
