using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Core;

// The rules of Algorithm 1, one method per "upon", in the paper's order. After every input the machine applies the
// first rule whose condition holds and starts over, until none holds: the "upon" rules are conditions over the message
// log, so the order in which messages, executions and timeouts arrive cannot make a rule be missed.
public sealed partial class Tendermint
{
    private void Evaluate(List<ConsensusEffect> fx)
    {
        while (Decision is null && (
            L49_PrecommitQuorumForProposal_Decides(fx) ||
            L55_OneThirdInHigherRound_SkipsToIt(fx) ||
            L22_ProposalForFreshValue_Prevotes(fx) ||
            L28_ProposalWithPolka_Prevotes(fx) ||
            L34_AnyPrevoteQuorum_SchedulesPrevoteTimeout(fx) ||
            L36_PolkaForValidProposal_LocksAndPrecommits(fx) ||
            L44_NilPrevoteQuorum_PrecommitsNil(fx) ||
            L47_AnyPrecommitQuorum_SchedulesPrecommitTimeout(fx)))
        {
        }
    }

    // L11-21: StartRound(round).
    private void StartRound(int round, List<ConsensusEffect> fx)
    {
        Round = round;
        Step = Step.Propose;
        if (IsValidator && _proposers.At(round) == _self)
        {
            // L15-16: a proposer that saw a polka re-proposes that value, with the polka's round as POL.
            if (ValidValue != Vote.Nil) fx.Add(new SignProposal(new Proposal(Height, round, ValidValue, ValidRound, _self!.Value)));
            else
            {
                // L18: getValue() — the host builds a block and answers with ValueBuilt (L19 in OnValueBuilt).
                _awaitingValue = round;
                fx.Add(new BuildValue(Height, round));
            }
        }
        // L21: schedule OnTimeoutPropose. The proposer schedules it too (as CometBFT does): if building its block ever
        // fails or stalls, the round still ends instead of waiting for the f + 1 skip.
        Schedule(Step.Propose, fx);
    }

    // L22-27: upon ⟨PROPOSAL, h_p, round_p, v, −1⟩ from proposer(h_p, round_p) while step_p = propose.
    private bool L22_ProposalForFreshValue_Prevotes(List<ConsensusEffect> fx)
    {
        if (Step != Step.Propose || FirstProposal(Round) is not { } proposal || proposal.Signed.Proposal.PolRound != -1) return false;
        var v = proposal.Signed.Proposal.Value;
        if (!_verdicts.TryGetValue(v, out bool valid)) return false; // valid(v) needs the execution: wait for it (or the timeout)
        // L23: valid(v) ∧ (lockedRound_p = −1 ∨ lockedValue_p = v); a fresh proposal must also be timely (BFT time).
        bool accept = valid && proposal.Timely && (LockedRound == -1 || LockedValue == v);
        CastVote(VoteType.Prevote, accept ? v : Vote.Nil, fx); // L24 / L26
        Step = Step.Prevote; // L27
        return true;
    }

    // L28-33: upon ⟨PROPOSAL, h_p, round_p, v, vr⟩ from proposer(h_p, round_p) AND 2f+1 ⟨PREVOTE, h_p, vr, id(v)⟩
    //         while step_p = propose ∧ (vr ≥ 0 ∧ vr < round_p).
    private bool L28_ProposalWithPolka_Prevotes(List<ConsensusEffect> fx)
    {
        if (Step != Step.Propose || FirstProposal(Round) is not { } proposal) return false;
        var (v, vr) = (proposal.Signed.Proposal.Value, proposal.Signed.Proposal.PolRound);
        if (vr < 0 || vr >= Round || !Votes.HasTwoThirds(vr, VoteType.Prevote, v)) return false;
        if (!_verdicts.TryGetValue(v, out bool valid)) return false;
        // L29: valid(v) ∧ (lockedRound_p ≤ vr ∨ lockedValue_p = v). The value already had a polka, so its time was
        // judged in round vr; timeliness is not asked again.
        bool accept = valid && (LockedRound <= vr || LockedValue == v);
        CastVote(VoteType.Prevote, accept ? v : Vote.Nil, fx); // L30 / L32
        Step = Step.Prevote; // L33
        return true;
    }

    // L34-35: upon 2f+1 ⟨PREVOTE, h_p, round_p, ∗⟩ while step_p = prevote for the first time.
    private bool L34_AnyPrevoteQuorum_SchedulesPrevoteTimeout(List<ConsensusEffect> fx)
    {
        if (Step != Step.Prevote || _l34Round == Round || !Votes.HasTwoThirdsAny(Round, VoteType.Prevote)) return false;
        _l34Round = Round;
        Schedule(Step.Prevote, fx);
        return true;
    }

    // L36-43: upon ⟨PROPOSAL, h_p, round_p, v, ∗⟩ from proposer(h_p, round_p) AND 2f+1 ⟨PREVOTE, h_p, round_p, id(v)⟩
    //         while valid(v) ∧ step_p ≥ prevote for the first time.
    private bool L36_PolkaForValidProposal_LocksAndPrecommits(List<ConsensusEffect> fx)
    {
        if (Step < Step.Prevote || _l36Round == Round || !_proposals.TryGetValue(Round, out var proposals)) return false;
        foreach (var (signed, _) in proposals)
        {
            var v = signed.Proposal.Value;
            if (!Votes.HasTwoThirds(Round, VoteType.Prevote, v) || VerdictOf(v) != true) continue;
            _l36Round = Round;
            if (Step == Step.Prevote)
            {
                LockedValue = v; // L38
                LockedRound = Round; // L39
                CastVote(VoteType.Precommit, v, fx); // L40
                Step = Step.Precommit; // L41
            }
            ValidValue = v; // L42
            ValidRound = Round; // L43
            return true;
        }
        return false;
    }

    // L44-46: upon 2f+1 ⟨PREVOTE, h_p, round_p, nil⟩ while step_p = prevote.
    private bool L44_NilPrevoteQuorum_PrecommitsNil(List<ConsensusEffect> fx)
    {
        if (Step != Step.Prevote || !Votes.HasTwoThirds(Round, VoteType.Prevote, Vote.Nil)) return false;
        CastVote(VoteType.Precommit, Vote.Nil, fx); // L45
        Step = Step.Precommit; // L46
        return true;
    }

    // L47-48: upon 2f+1 ⟨PRECOMMIT, h_p, round_p, ∗⟩ for the first time.
    private bool L47_AnyPrecommitQuorum_SchedulesPrecommitTimeout(List<ConsensusEffect> fx)
    {
        if (_l47Round == Round || !Votes.HasTwoThirdsAny(Round, VoteType.Precommit)) return false;
        _l47Round = Round;
        Schedule(Step.Precommit, fx);
        return true;
    }

    // L49-54: upon ⟨PROPOSAL, h_p, r, v, ∗⟩ from proposer(h_p, r) AND 2f+1 ⟨PRECOMMIT, h_p, r, id(v)⟩
    //         while decision_p[h_p] = nil. Any round r, not only round_p. A peer's commit certificate for (r, v) is the
    //         same fact carried whole: its precommits prove the value, and it brings the block.
    private bool L49_PrecommitQuorumForProposal_Decides(List<ConsensusEffect> fx)
    {
        foreach (int r in Votes.Rounds)
        {
            var precommits = Votes.Of(r, VoteType.Precommit);
            if (precommits.TwoThirdsValue(Validators.TotalPower) is not { } v || v == Vote.Nil) continue;
            if (!HasProposal(r, v) && !_certified.Any(c => c.Round == r && c.Value == v)) continue;
            if (VerdictOf(v) != true) continue; // L50: if valid(v) — an unexecuted block waits for its verdict
            return DecideOn(r, v, precommits.VotesFor(v), fx);
        }
        foreach (var (r, v, certificate) in _certified)
            if (VerdictOf(v) == true) return DecideOn(r, v, certificate, fx);
        return false;
    }

    private bool DecideOn(int round, Hash32 value, IReadOnlyList<SignedVote> precommits, List<ConsensusEffect> fx)
    {
        Decision = value; // L51
        DecisionRound = round;
        _decisionPrecommits = precommits;
        fx.Add(new Decide(Height, round, value, precommits));
        return true; // L52-54 (next height, StartRound(0)) happen when the host reports BlockCommitted
    }

    // L55-56: upon f+1 ⟨∗, h_p, round, ∗, ∗⟩ with round > round_p. Counted over votes (as CometBFT and Malachite do):
    //         more than 1/3 of the power already in a higher round means at least one honest validator is there.
    private bool L55_OneThirdInHigherRound_SkipsToIt(List<ConsensusEffect> fx)
    {
        int target = -1;
        foreach (int r in Votes.Rounds)
            if (r > Round && Quorum.OneThird(Votes.PowerInRound(r), Validators.TotalPower)) target = r;
        if (target < 0) return false;
        StartRound(target, fx);
        return true;
    }

    // L57-67: the three timeout functions.
    private void OnTimeout(Timeout timeout, List<ConsensusEffect> fx)
    {
        if (Decision is not null || timeout.Height != Height || timeout.Round != Round) return; // stale: the round moved on
        switch (timeout.Step)
        {
            // L57-60: OnTimeoutPropose — if step_p = propose: prevote nil.
            case Step.Propose when Step == Step.Propose:
                CastVote(VoteType.Prevote, Vote.Nil, fx);
                Step = Step.Prevote;
                break;
            // L61-64: OnTimeoutPrevote — if step_p = prevote: precommit nil.
            case Step.Prevote when Step == Step.Prevote:
                CastVote(VoteType.Precommit, Vote.Nil, fx);
                Step = Step.Precommit;
                break;
            // L65-67: OnTimeoutPrecommit — StartRound(round_p + 1).
            case Step.Precommit:
                StartRound(checked(Round + 1), fx);
                break;
            default:
                return;
        }
        Evaluate(fx);
    }

    private void CastVote(VoteType type, Hash32 value, List<ConsensusEffect> fx)
    {
        if (IsValidator) fx.Add(new SignVote(new Vote(Height, Round, type, value, _self!.Value)));
    }

    private void Schedule(Step step, List<ConsensusEffect> fx)
        => fx.Add(new ScheduleTimeout(new Timeout(Height, Round, step), _timeouts.For(step, Round)));

    // The proposal that counts for lines 22 and 28 is the first one received from the round's proposer; any later,
    // different one is an equivocation (reported) that lines 36 and 49 may still need, because others may have seen it first.
    private (SignedProposal Signed, bool Timely)? FirstProposal(int round)
        => _proposals.TryGetValue(round, out var list) && list.Count > 0 ? list[0] : null;

    private bool HasProposal(int round, Hash32 value)
        => _proposals.TryGetValue(round, out var list) && list.Any(e => e.Signed.Proposal.Value == value);
}
