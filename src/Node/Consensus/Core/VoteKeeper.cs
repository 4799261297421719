using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// Every vote of one height, by round and type, counted by voting power. Answers the paper's "2f + 1 ⟨PREVOTE, h, r, id(v)⟩"
/// and "f + 1 ⟨∗, h, round, ∗⟩" questions and detects equivocation (two different votes of one validator for the same
/// height, round and type), handing back both signed votes as evidence.
/// </summary>
public sealed class VoteKeeper
{
    private readonly SortedDictionary<int, (VoteTally Prevotes, VoteTally Precommits)> _rounds = [];
    private readonly SortedDictionary<int, Dictionary<Address, long>> _voters = [];

    public VoteKeeper(ulong height, ValidatorSet validators)
    {
        Height = height;
        Validators = validators;
    }

    public ulong Height { get; }
    public ValidatorSet Validators { get; }

    /// <summary>Rounds that hold at least one vote, ascending.</summary>
    public IEnumerable<int> Rounds => _rounds.Keys;

    /// <summary>Counts <paramref name="vote"/>; on equivocation <paramref name="evidence"/> holds the first and the new vote.</summary>
    public VoteAdded Add(SignedVote vote, out DuplicateVoteEvidence? evidence)
    {
        evidence = null;
        var v = vote.Vote;
        if (v.Height != Height) throw new ArgumentException($"vote for height {v.Height} given to the vote keeper of height {Height}");
        long power = Validators.PowerOf(v.Validator);
        if (power == 0) return VoteAdded.NotAValidator;
        var tally = Tally(v.Round, v.Type, create: true)!;
        var added = tally.Add(vote, power);
        if (added == VoteAdded.Conflicting) evidence = new DuplicateVoteEvidence(tally.Of(v.Validator)!, vote);
        // Line 55 counts validators, so only a validator's first vote in the round adds it.
        if (added == VoteAdded.Counted)
        {
            if (!_voters.TryGetValue(v.Round, out var voters)) _voters[v.Round] = voters = [];
            voters[v.Validator] = power;
        }
        return added;
    }

    /// <summary>The tally of one round and type; empty when nothing arrived.</summary>
    public VoteTally Of(int round, VoteType type) => Tally(round, type, create: false) ?? Empty;

    /// <summary>Power of the distinct validators with any vote in <paramref name="round"/> (line 55's f + 1 count).</summary>
    public long PowerInRound(int round) => _voters.TryGetValue(round, out var voters) ? voters.Values.Sum() : 0;

    /// <summary>Whether more than 2/3 of the power voted <paramref name="value"/> as <paramref name="type"/> in <paramref name="round"/>.</summary>
    public bool HasTwoThirds(int round, VoteType type, Hash32 value) => Quorum.TwoThirds(Of(round, type).PowerFor(value), Validators.TotalPower);

    /// <summary>Whether more than 2/3 of the power voted anything as <paramref name="type"/> in <paramref name="round"/>.</summary>
    public bool HasTwoThirdsAny(int round, VoteType type) => Quorum.TwoThirds(Of(round, type).Total, Validators.TotalPower);

    private static readonly VoteTally Empty = new();

    private VoteTally? Tally(int round, VoteType type, bool create)
    {
        if (!_rounds.TryGetValue(round, out var pair))
        {
            if (!create) return null;
            _rounds[round] = pair = (new VoteTally(), new VoteTally());
        }
        return type switch
        {
            VoteType.Prevote => pair.Prevotes,
            VoteType.Precommit => pair.Precommits,
            _ => throw new ArgumentException($"vote type {type} is neither prevote nor precommit"),
        };
    }
}
