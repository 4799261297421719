using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// Tendermint consensus (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018, Algorithm 1) as a pure
/// state machine: <see cref="Apply"/> takes the state (this object) and one input to the next state and the effects the
/// host must carry out. No clock, network, disk, threads or randomness: the same inputs always give the same state and
/// effects, which is what makes the write-ahead log a replay and the simulation deterministic. The rules are in
/// Tendermint.Rules.cs, one method per "upon" of the paper, named and commented with its line numbers.
/// </summary>
public sealed partial class Tendermint
{
    /// <summary>Messages for rounds further ahead than this are refused: the f + 1 skip (L55) needs no more, and it bounds memory.</summary>
    public const int MaxRoundsAhead = 1000;
    /// <summary>Distinct proposals kept per round; more can only come from an equivocating proposer.</summary>
    public const int MaxProposalsPerRound = 4;
    /// <summary>Messages for the next height kept until it starts.</summary>
    public const int MaxBufferedNextHeight = 10_000;

    private readonly Address? _self;
    private readonly TimeoutSchedule _timeouts;

    // Per height; reset by StartHeight.
    private ProposerRotation _proposers = null!;
    private readonly Dictionary<int, List<(SignedProposal Signed, bool Timely)>> _proposals = [];
    // Commit certificates from peers, in arrival order: each holds precommits of more than 2/3 of the power for its value.
    private readonly List<(int Round, Hash32 Value, IReadOnlyList<SignedVote> Precommits)> _certified = [];
    private readonly Dictionary<Hash32, bool> _verdicts = [];
    private readonly HashSet<Hash32> _executing = [];
    private readonly List<ConsensusInput> _nextHeight = [];
    private int? _awaitingValue;
    // "for the first time" of lines 34, 36 and 47: the round in which each last fired.
    private int _l34Round = -1, _l36Round = -1, _l47Round = -1;

    /// <summary>A state machine for the validator <paramref name="self"/> (null: an observer that follows but never signs).</summary>
    public Tendermint(Address? self, TimeoutSchedule? timeouts = null)
    {
        _self = self;
        _timeouts = timeouts ?? TimeoutSchedule.Default;
    }

    /// <summary>False until the first <see cref="BlockCommitted"/>.</summary>
    public bool Started { get; private set; }
    /// <summary>h_p: the height being decided.</summary>
    public ulong Height { get; private set; }
    /// <summary>round_p.</summary>
    public int Round { get; private set; }
    /// <summary>step_p.</summary>
    public Step Step { get; private set; }
    /// <summary>lockedValue_p (<see cref="Vote.Nil"/> when none) and lockedRound_p (−1).</summary>
    public Hash32 LockedValue { get; private set; } = Vote.Nil;
    public int LockedRound { get; private set; } = -1;
    /// <summary>validValue_p (<see cref="Vote.Nil"/> when none) and validRound_p (−1).</summary>
    public Hash32 ValidValue { get; private set; } = Vote.Nil;
    public int ValidRound { get; private set; } = -1;
    /// <summary>decision_p[h_p], once decided (the host then commits and answers with <see cref="BlockCommitted"/>).</summary>
    public Hash32? Decision { get; private set; }
    public int DecisionRound { get; private set; } = -1;
    private IReadOnlyList<SignedVote> _decisionPrecommits = [];
    /// <summary>The validators of this height.</summary>
    public ValidatorSet Validators { get; private set; } = null!;
    /// <summary>The votes of this height.</summary>
    public VoteKeeper Votes { get; private set; } = null!;
    public Address? Self => _self;
    /// <summary>Whether this node holds power in the current height's set (only then does it propose and vote).</summary>
    public bool IsValidator => _self is { } self && Started && Validators.Contains(self);

    /// <summary>proposer(h_p, round).</summary>
    public Address ProposerOf(int round) => _proposers.At(round);

    /// <summary>
    /// Whether <paramref name="input"/> would change nothing because the machine already holds it (a vote or proposal
    /// of this height seen before): the host may drop gossip repeats before logging them.
    /// </summary>
    public bool Holds(ConsensusInput input) => input switch
    {
        VoteReceived v => Started && v.Vote.Vote.Height == Height && v.Vote.Vote.Type is VoteType.Prevote or VoteType.Precommit
            && Votes.Of(v.Vote.Vote.Round, v.Vote.Vote.Type).Holds(v.Vote.Vote),
        ProposalReceived p => Started && p.Proposal.Proposal.Height == Height
            && _proposals.TryGetValue(p.Proposal.Proposal.Round, out var list) && list.Any(e => e.Signed.Proposal == p.Proposal.Proposal),
        _ => false,
    };

    /// <summary>The valid(v) verdict of the host for a block of this height, if it executed it.</summary>
    public bool? VerdictOf(Hash32 value) => _verdicts.TryGetValue(value, out var valid) ? valid : null;

    /// <summary>One step of the machine: this state and <paramref name="input"/> to the next state and the host's effects.</summary>
    public IReadOnlyList<ConsensusEffect> Apply(ConsensusInput input)
    {
        var effects = new List<ConsensusEffect>();
        Handle(input, effects);
        return effects;
    }

    private void Handle(ConsensusInput input, List<ConsensusEffect> fx)
    {
        if (!Started && input is not BlockCommitted)
        {
            fx.Add(new InputRejected(input, "consensus has not started: the host must first report the last committed block"));
            return;
        }
        switch (input)
        {
            case BlockCommitted committed: OnBlockCommitted(committed, fx); break;
            case ProposalReceived proposal: OnProposal(proposal, fx); break;
            case VoteReceived vote: OnVote(vote, fx); break;
            case TimeoutFired timeout: OnTimeout(timeout.Timeout, fx); break;
            case ProposalExecuted executed: OnExecuted(executed, fx); break;
            case ValueBuilt built: OnValueBuilt(built, fx); break;
            case CommitReceived commit: OnCommit(commit, fx); break;
            case Resumed: OnResumed(fx); break;
            default: throw new ArgumentException($"unknown consensus input {input.GetType().Name}", nameof(input));
        }
    }

    private void OnBlockCommitted(BlockCommitted committed, List<ConsensusEffect> fx)
    {
        if (Started && committed.Height < Height)
        {
            fx.Add(new InputRejected(committed, $"block {committed.Height} is already behind height {Height}"));
            return;
        }
        // L52-53: h_p ← h_p + 1; reset the locks and the message log.
        Started = true;
        Height = checked(committed.Height + 1);
        Validators = committed.NextValidators;
        Votes = new VoteKeeper(Height, Validators);
        _proposers = new ProposerRotation(Validators);
        LockedValue = ValidValue = Vote.Nil;
        LockedRound = ValidRound = -1;
        Decision = null;
        DecisionRound = -1;
        _decisionPrecommits = [];
        _proposals.Clear();
        _certified.Clear();
        _verdicts.Clear();
        _executing.Clear();
        _awaitingValue = null;
        _l34Round = _l36Round = _l47Round = -1;
        var buffered = _nextHeight.Where(m => HeightOf(m) == Height).ToList();
        _nextHeight.Clear();
        StartRound(0, fx); // L10 / L54
        foreach (var message in buffered) Handle(message, fx);
    }

    private void OnProposal(ProposalReceived received, List<ConsensusEffect> fx)
    {
        var p = received.Proposal.Proposal;
        if (!ForThisHeight(received, p.Height, fx) || !RoundInRange(received, p.Round, fx)) return;
        if (p.Value == Vote.Nil) { fx.Add(new InputRejected(received, "a proposal must name a block, not the zero hash")); return; }
        if (p.PolRound < -1 || p.PolRound >= p.Round)
        {
            fx.Add(new InputRejected(received, $"polRound {p.PolRound} must lie in [-1, {p.Round - 1}]"));
            return;
        }
        var proposer = _proposers.At(p.Round);
        if (p.Proposer != proposer)
        {
            fx.Add(new InputRejected(received, $"{p} is not from the proposer of round {p.Round}, {proposer}"));
            return;
        }
        if (!_proposals.TryGetValue(p.Round, out var list)) _proposals[p.Round] = list = [];
        if (list.Any(e => e.Signed.Proposal == p)) return; // gossip repeats
        if (list.Count > 0) fx.Add(new ReportEvidence(new DuplicateProposalEvidence(list[0].Signed, received.Proposal)));
        if (list.Count >= MaxProposalsPerRound)
        {
            fx.Add(new InputRejected(received, $"round {p.Round} already holds {MaxProposalsPerRound} proposals from {p.Proposer}"));
            return;
        }
        list.Add((received.Proposal, received.Timely));
        RequestExecution(p.Value, fx);
        Evaluate(fx);
    }

    private void OnVote(VoteReceived received, List<ConsensusEffect> fx)
    {
        var v = received.Vote.Vote;
        if (!ForThisHeight(received, v.Height, fx) || !RoundInRange(received, v.Round, fx)) return;
        if (v.Type is not (VoteType.Prevote or VoteType.Precommit))
        {
            fx.Add(new InputRejected(received, $"vote type {v.Type} is neither prevote nor precommit"));
            return;
        }
        switch (Votes.Add(received.Vote, out var evidence))
        {
            case VoteAdded.Counted: Evaluate(fx); break;
            case VoteAdded.Conflicting:
                fx.Add(new ReportEvidence(evidence!));
                Evaluate(fx);
                break;
            case VoteAdded.Ignored: fx.Add(new InputRejected(received, $"{v.Validator} already voted for {VoteTally.MaxValuesPerValidator} values in {v.Height}/{v.Round}")); break;
            case VoteAdded.NotAValidator: fx.Add(new InputRejected(received, $"{v.Validator} is not a validator at height {Height}")); break;
        }
    }

    private void OnExecuted(ProposalExecuted executed, List<ConsensusEffect> fx)
    {
        if (executed.Height != Height) return; // an execution that finished after its height was decided
        _verdicts.TryAdd(executed.Value, executed.Valid);
        _executing.Remove(executed.Value);
        Evaluate(fx);
    }

    private void OnValueBuilt(ValueBuilt built, List<ConsensusEffect> fx)
    {
        if (built.Height != Height || built.Round != Round || _awaitingValue != built.Round || Decision is not null)
        {
            fx.Add(new InputRejected(built, $"block built for {built.Height}/{built.Round} arrived at {Height}/{Round}, which no longer waits for one"));
            return;
        }
        _awaitingValue = null;
        // L19: broadcast ⟨PROPOSAL, h_p, round_p, proposal, validRound_p⟩; validValue_p was nil, so validRound_p is −1.
        fx.Add(new SignProposal(new Proposal(Height, Round, built.Value, ValidRound, _self!.Value)));
    }

    private void OnCommit(CommitReceived commit, List<ConsensusEffect> fx)
    {
        if (commit.Height != Height)
        {
            fx.Add(new InputRejected(commit, $"a commit for height {commit.Height} does not help at height {Height}"));
            return;
        }
        if (!RoundInRange(commit, commit.Round, fx)) return;
        if (commit.Precommits.FirstOrDefault(p => p.Vote.Type != VoteType.Precommit || p.Vote.Height != commit.Height || p.Vote.Round != commit.Round || p.Vote.Value != commit.Value) is { } stray)
        {
            fx.Add(new InputRejected(commit, $"the commit of {commit.Height}/{commit.Round} holds a vote that is not a precommit of it: {stray.Vote}"));
            return;
        }
        // The certificate's own power decides, not this node's tally: an equivocator may have shown this node another
        // precommit first, which the tally counts instead (first vote wins), while the certificate holds the other one.
        var signers = new Dictionary<Address, long>();
        foreach (var precommit in commit.Precommits)
        {
            if (Votes.Add(precommit, out var evidence) == VoteAdded.Conflicting) fx.Add(new ReportEvidence(evidence!));
            signers.TryAdd(precommit.Vote.Validator, Validators.PowerOf(precommit.Vote.Validator));
        }
        long power = signers.Values.Sum();
        if (!Quorum.TwoThirds(power, Validators.TotalPower))
        {
            fx.Add(new InputRejected(commit, $"the commit of {commit.Height}/{commit.Round} holds {power} of {Validators.TotalPower} power, not more than 2/3"));
            return;
        }
        if (!_certified.Any(c => c.Round == commit.Round && c.Value == commit.Value)) _certified.Add((commit.Round, commit.Value, commit.Precommits));
        RequestExecution(commit.Value, fx);
        Evaluate(fx);
    }

    private void OnResumed(List<ConsensusEffect> fx)
    {
        if (Decision is { } decided)
        {
            fx.Add(new Decide(Height, DecisionRound, decided, _decisionPrecommits));
            return;
        }
        foreach (var value in _executing.Order()) fx.Add(new ExecuteProposal(Height, value));
        if (_awaitingValue == Round) fx.Add(new BuildValue(Height, Round));
        if (Step == Step.Propose) Schedule(Step.Propose, fx);
        if (Step == Step.Prevote && _l34Round == Round) Schedule(Step.Prevote, fx);
        if (_l47Round == Round) Schedule(Step.Precommit, fx);
    }

    private void RequestExecution(Hash32 value, List<ConsensusEffect> fx)
    {
        // A validator prevotes a block only after executing it; each distinct block of the height executes once.
        if (!_verdicts.ContainsKey(value) && _executing.Add(value)) fx.Add(new ExecuteProposal(Height, value));
    }

    private bool ForThisHeight(ConsensusInput input, ulong height, List<ConsensusEffect> fx)
    {
        if (height == Height) return true;
        if (height == Height + 1 && _nextHeight.Count < MaxBufferedNextHeight) _nextHeight.Add(input);
        else if (height > Height + 1) fx.Add(new InputRejected(input, $"height {height} is more than one ahead of {Height}"));
        else if (height > Height) fx.Add(new InputRejected(input, $"{MaxBufferedNextHeight} messages for height {height} are already waiting"));
        return false;
    }

    private bool RoundInRange(ConsensusInput input, int round, List<ConsensusEffect> fx)
    {
        if (round >= 0 && round <= Round + MaxRoundsAhead) return true;
        fx.Add(new InputRejected(input, $"round {round} lies outside [0, {Round + MaxRoundsAhead}]"));
        return false;
    }

    private static ulong HeightOf(ConsensusInput input) => input switch
    {
        ProposalReceived p => p.Proposal.Proposal.Height,
        VoteReceived v => v.Vote.Vote.Height,
        _ => 0,
    };
}
