using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using static P2PEnergy.Node.Tests.Consensus.Core.CoreHarness;

namespace P2PEnergy.Node.Tests.Consensus.Core;

/// <summary>The vote keeper counts power, not votes, and sees equivocation.</summary>
public sealed class VoteKeeperTests
{
    private static readonly CoreHarness Votes = new(powers: [3, 1, 1, 1, 1]); // total 7: 2/3 needs 5, 1/3 needs 3

    private static VoteKeeper Keeper() => new(1, Votes.Set);

    [Fact]
    public void TwoThirds_IsByPower()
    {
        var keeper = Keeper();
        keeper.Add(Votes.Signed(1, 0, VoteType.Prevote, V), out _);
        keeper.Add(Votes.Signed(2, 0, VoteType.Prevote, V), out _);
        keeper.Add(Votes.Signed(3, 0, VoteType.Prevote, V), out _);
        keeper.Add(Votes.Signed(4, 0, VoteType.Prevote, V), out _);
        Assert.False(keeper.HasTwoThirds(0, VoteType.Prevote, V)); // four validators, power 4 of 7
        keeper.Add(Votes.Signed(0, 0, VoteType.Prevote, Vote.Nil), out _);
        Assert.True(keeper.HasTwoThirdsAny(0, VoteType.Prevote));
        Assert.False(keeper.HasTwoThirds(0, VoteType.Prevote, V));

        var heavy = Keeper();
        heavy.Add(Votes.Signed(0, 0, VoteType.Prevote, V), out _);
        heavy.Add(Votes.Signed(1, 0, VoteType.Prevote, V), out _);
        heavy.Add(Votes.Signed(2, 0, VoteType.Prevote, V), out _);
        Assert.True(heavy.HasTwoThirds(0, VoteType.Prevote, V)); // three validators, power 5 of 7
        Assert.Equal(V, heavy.Of(0, VoteType.Prevote).TwoThirdsValue(7));
    }

    [Fact]
    public void ExactlyTwoThirds_IsNotEnough()
    {
        var set = ValidatorSet.Create(Validators.Take(3).Select(a => (a, 1L)));
        var keeper = new VoteKeeper(1, set);
        keeper.Add(new SignedVote(new Vote(1, 0, VoteType.Precommit, V, Validators[0]), Votes.Signed(0, 0, VoteType.Precommit, V).Signature), out _);
        keeper.Add(new SignedVote(new Vote(1, 0, VoteType.Precommit, V, Validators[1]), Votes.Signed(0, 0, VoteType.Precommit, V).Signature), out _);
        Assert.False(keeper.HasTwoThirds(0, VoteType.Precommit, V)); // 2 of 3 = exactly 2/3, not more
        Assert.True(Quorum.OneThird(2, 3));
        Assert.False(Quorum.OneThird(1, 3));
    }

    [Fact]
    public void RepeatedVote_IsADuplicate_CountedOnce()
    {
        var keeper = Keeper();
        Assert.Equal(VoteAdded.Counted, keeper.Add(Votes.Signed(1, 0, VoteType.Prevote, V), out _));
        Assert.Equal(VoteAdded.Duplicate, keeper.Add(Votes.Signed(1, 0, VoteType.Prevote, V), out _));
        Assert.Equal(1, keeper.Of(0, VoteType.Prevote).PowerFor(V));
    }

    [Fact]
    public void Equivocation_IsEvidence_AndCountsForEachValue_ButOnceForAny()
    {
        var keeper = Keeper();
        keeper.Add(Votes.Signed(0, 0, VoteType.Precommit, V), out _);
        Assert.Equal(VoteAdded.Conflicting, keeper.Add(Votes.Signed(0, 0, VoteType.Precommit, W), out var evidence));
        Assert.Equal((V, W), (evidence!.First.Vote.Value, evidence.Second.Vote.Value));
        var tally = keeper.Of(0, VoteType.Precommit);
        Assert.Equal((3L, 3L, 3L), (tally.PowerFor(V), tally.PowerFor(W), tally.Total));
        Assert.Equal(3, keeper.PowerInRound(0));
    }

    [Fact]
    public void Equivocator_IsCountedForAtMostFourValues()
    {
        var keeper = Keeper();
        for (int i = 0; i < VoteTally.MaxValuesPerValidator; i++)
            Assert.NotEqual(VoteAdded.Ignored, keeper.Add(Votes.Signed(1, 0, VoteType.Prevote, P2PEnergy.Contracts.Crypto.Keccak256.Hash([(byte)i])), out _));
        Assert.Equal(VoteAdded.Ignored, keeper.Add(Votes.Signed(1, 0, VoteType.Prevote, V), out _));
    }

    [Fact]
    public void NonValidator_IsNotCounted()
        => Assert.Equal(VoteAdded.NotAValidator, Keeper().Add(Votes.Signed(6, 0, VoteType.Prevote, V), out _));

    [Fact]
    public void PowerInRound_CountsEachValidatorOnce_AcrossVoteTypes()
    {
        var keeper = Keeper();
        keeper.Add(Votes.Signed(0, 2, VoteType.Prevote, V), out _);
        keeper.Add(Votes.Signed(0, 2, VoteType.Precommit, V), out _);
        keeper.Add(Votes.Signed(1, 2, VoteType.Precommit, Vote.Nil), out _);
        Assert.Equal(4, keeper.PowerInRound(2));
        Assert.Equal([2], keeper.Rounds);
    }
}
