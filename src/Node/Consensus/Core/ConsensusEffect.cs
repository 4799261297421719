using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>What the state machine asks of its host. The core never performs these itself.</summary>
public abstract record ConsensusEffect;

/// <summary>getValue(): build a block for height/round that this node will propose, then answer with <see cref="ValueBuilt"/>.</summary>
public sealed record BuildValue(ulong Height, int Round) : ConsensusEffect;

/// <summary>
/// Sign and broadcast this proposal. Persist-before-send point: the host logs the signed proposal (fsync) and records it
/// as last signed before it leaves, then feeds it back as <see cref="ProposalReceived"/>.
/// </summary>
public sealed record SignProposal(Proposal Proposal) : ConsensusEffect;

/// <summary>
/// Sign and broadcast this vote. Persist-before-send point: the host logs the signed vote (fsync) and records it as last
/// signed before it leaves, then feeds it back as <see cref="VoteReceived"/>.
/// </summary>
public sealed record SignVote(Vote Vote) : ConsensusEffect;

/// <summary>Deliver <see cref="TimeoutFired"/> for <paramref name="Timeout"/> after <paramref name="After"/>.</summary>
public sealed record ScheduleTimeout(Timeout Timeout, TimeSpan After) : ConsensusEffect;

/// <summary>Execute the proposed block <paramref name="Value"/> and answer with <see cref="ProposalExecuted"/>.</summary>
public sealed record ExecuteProposal(ulong Height, Hash32 Value) : ConsensusEffect;

/// <summary>
/// decision_p[h] = v: commit block <paramref name="Value"/> with <paramref name="Precommits"/> (more than 2/3 of the power),
/// then answer with <see cref="BlockCommitted"/>.
/// </summary>
public sealed record Decide(ulong Height, int Round, Hash32 Value, IReadOnlyList<SignedVote> Precommits) : ConsensusEffect;

/// <summary>A validator misbehaved; the host keeps the evidence.</summary>
public sealed record ReportEvidence(Evidence Evidence) : ConsensusEffect;

/// <summary>An input the core ignored, and why (a vote from a non-validator, a proposal from the wrong proposer, ...).</summary>
public sealed record InputRejected(ConsensusInput Input, string Reason) : ConsensusEffect;
