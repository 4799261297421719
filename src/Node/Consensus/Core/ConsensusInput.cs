using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// Everything that can happen to the state machine. The host feeds these to <see cref="Tendermint.Apply"/>; all but
/// <see cref="Resumed"/> go to the write-ahead log first, so a restart replays them to the same state.
/// </summary>
public abstract record ConsensusInput;

/// <summary>
/// Block <paramref name="Height"/> is stored (0 = genesis): consensus starts height <paramref name="Height"/> + 1 with
/// <paramref name="NextValidators"/>, the set in force there.
/// </summary>
public sealed record BlockCommitted(ulong Height, ValidatorSet NextValidators) : ConsensusInput;

/// <summary>
/// A proposal whose signature the host checked (the proposer is the signer). <paramref name="Timely"/> is the host's
/// BFT-time check at receipt: the block's time is not too far ahead of the local clock (docs/consensus.md).
/// </summary>
public sealed record ProposalReceived(SignedProposal Proposal, bool Timely) : ConsensusInput;

/// <summary>A vote whose signature the host checked.</summary>
public sealed record VoteReceived(SignedVote Vote) : ConsensusInput;

/// <summary>A timeout the core scheduled has elapsed.</summary>
public sealed record TimeoutFired(Timeout Timeout) : ConsensusInput;

/// <summary>
/// The host executed the block <paramref name="Value"/> of height <paramref name="Height"/>: valid(v) of the paper, and
/// the app hash it computed (for the log; the header already commits to the app hash the block claims).
/// </summary>
public sealed record ProposalExecuted(ulong Height, Hash32 Value, bool Valid, Hash32 AppHash) : ConsensusInput;

/// <summary>getValue() returned: the host built block <paramref name="Value"/> for this node to propose.</summary>
public sealed record ValueBuilt(ulong Height, int Round, Hash32 Value) : ConsensusInput;

/// <summary>
/// A decided block from a peer that is already past this height: its commit's precommits (signatures checked by the
/// host). Not in Algorithm 1 — it is how a node that missed the decision catches up (CometBFT's block sync does the same).
/// </summary>
public sealed record CommitReceived(ulong Height, int Round, Hash32 Value, IReadOnlyList<SignedVote> Precommits) : ConsensusInput;

/// <summary>The host restarted and replayed the log: re-issue the host work still outstanding (timeouts, executions, a build, a decision).</summary>
public sealed record Resumed : ConsensusInput;
