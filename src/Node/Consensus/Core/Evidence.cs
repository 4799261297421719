namespace P2PEnergy.Node.Consensus.Core;

/// <summary>Proof that a validator misbehaved: two signed messages no honest validator would sign together.</summary>
public abstract record Evidence;

/// <summary>Two different votes of one validator for the same height, round and vote type (equivocation).</summary>
public sealed record DuplicateVoteEvidence(SignedVote First, SignedVote Second) : Evidence
{
    public override string ToString() => $"equivocation: {First.Vote} and {Second.Vote}";
}

/// <summary>Two different proposals of one proposer for the same height and round.</summary>
public sealed record DuplicateProposalEvidence(SignedProposal First, SignedProposal Second) : Evidence
{
    public override string ToString() => $"equivocating proposer: {First.Proposal} and {Second.Proposal}";
}
