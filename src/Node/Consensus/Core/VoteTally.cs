using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// The votes of one type in one round, counted by power. As in the paper, "2f + 1 ⟨PREVOTE, h, r, id(v)⟩" counts every
/// validator that sent a prevote for v — an equivocator that also voted for something else counts for both values. That
/// is safe (two sets above 2/3 share more than 1/3 of the power, so an honest validator, who votes once, is in both —
/// hence with at most f faulty only one value can pass 2/3), and it is needed for liveness: a node shown an
/// equivocator's other vote first must still see the polka every other node sees. "2f + 1 ⟨∗⟩" counts each validator once.
/// </summary>
public sealed class VoteTally
{
    /// <summary>Distinct values one validator may be counted for in one tally; further values are ignored (a flood).</summary>
    public const int MaxValuesPerValidator = 4;

    private readonly Dictionary<Address, SignedVote> _first = [];
    private readonly Dictionary<Address, int> _values = [];
    private readonly SortedDictionary<Hash32, Dictionary<Address, SignedVote>> _byValue = [];
    private readonly Dictionary<Hash32, long> _powerByValue = [];

    /// <summary>Power of every validator that voted, whatever for, each counted once.</summary>
    public long Total { get; private set; }

    /// <summary>Validators that voted.</summary>
    public int Count => _first.Count;

    /// <summary>Power of the validators that voted <paramref name="value"/> (<see cref="Vote.Nil"/> for nil).</summary>
    public long PowerFor(Hash32 value) => _powerByValue.TryGetValue(value, out var power) ? power : 0;

    /// <summary>Whether this exact vote is already held (a repeat changes nothing).</summary>
    public bool Holds(Vote vote) => _byValue.TryGetValue(vote.Value, out var votes) && votes.ContainsKey(vote.Validator);

    /// <summary>The validator's first vote, if any.</summary>
    public SignedVote? Of(Address validator) => _first.GetValueOrDefault(validator);

    /// <summary>The votes for <paramref name="value"/>, in address order (a commit's signatures, a polka's proof).</summary>
    public IReadOnlyList<SignedVote> VotesFor(Hash32 value)
        => _byValue.TryGetValue(value, out var votes) ? votes.Values.OrderBy(v => v.Vote.Validator).ToList() : [];

    /// <summary>Every vote held, equivocations included, by value then address.</summary>
    public IEnumerable<SignedVote> All() => _byValue.Values.SelectMany(votes => votes.Values.OrderBy(v => v.Vote.Validator));

    /// <summary>The value (possibly nil) with more than 2/3 of <paramref name="totalPower"/>, if one has; the lowest hash if several do (only with more than f faulty).</summary>
    public Hash32? TwoThirdsValue(long totalPower)
    {
        foreach (var value in _byValue.Keys)
            if (Quorum.TwoThirds(PowerFor(value), totalPower)) return value;
        return null;
    }

    internal VoteAdded Add(SignedVote vote, long power)
    {
        var (validator, value) = (vote.Vote.Validator, vote.Vote.Value);
        if (!_byValue.TryGetValue(value, out var voters)) voters = null;
        if (voters is not null && voters.ContainsKey(validator)) return VoteAdded.Duplicate;
        bool first = _first.TryAdd(validator, vote);
        if (!first && _values[validator] >= MaxValuesPerValidator) return VoteAdded.Ignored;
        if (voters is null) _byValue[value] = voters = [];
        voters.Add(validator, vote);
        _values[validator] = first ? 1 : _values[validator] + 1;
        _powerByValue[value] = checked(PowerFor(value) + power);
        if (!first) return VoteAdded.Conflicting;
        Total = checked(Total + power);
        return VoteAdded.Counted;
    }
}

/// <summary>What adding a vote did.</summary>
public enum VoteAdded
{
    Counted,
    /// <summary>The same vote again (gossip repeats): nothing changes.</summary>
    Duplicate,
    /// <summary>A validator that already voted voted for another value: equivocation, reported, and counted for that value too.</summary>
    Conflicting,
    /// <summary>An equivocator's vote beyond <see cref="VoteTally.MaxValuesPerValidator"/> values: not counted.</summary>
    Ignored,
    /// <summary>The signer holds no power in this height's set.</summary>
    NotAValidator,
}
