using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>A message in flight between two simulated nodes, with what drop rules ask about it.</summary>
public sealed record Envelope(int From, int To, ConsensusMessage Message)
{
    public bool IsProposal => Message.BodyCase == ConsensusMessage.BodyOneofCase.Proposal;
    public bool IsPrevote => Message.BodyCase == ConsensusMessage.BodyOneofCase.Vote && Message.Vote.Vote.VoteType == VoteType.Prevote;
    public bool IsPrecommit => Message.BodyCase == ConsensusMessage.BodyOneofCase.Vote && Message.Vote.Vote.VoteType == VoteType.Precommit;
    public bool IsDecision => Message.BodyCase == ConsensusMessage.BodyOneofCase.Decision;

    public ulong Height => Message.BodyCase switch
    {
        ConsensusMessage.BodyOneofCase.Proposal => Message.Proposal.Proposal.Height,
        ConsensusMessage.BodyOneofCase.Vote => Message.Vote.Vote.Height,
        ConsensusMessage.BodyOneofCase.Decision => Message.Decision.Header.Height,
        _ => 0,
    };

    public int Round => Message.BodyCase switch
    {
        ConsensusMessage.BodyOneofCase.Proposal => (int)Message.Proposal.Proposal.Round,
        ConsensusMessage.BodyOneofCase.Vote => (int)Message.Vote.Vote.Round,
        ConsensusMessage.BodyOneofCase.Decision => (int)Message.Decision.Commit.Round,
        _ => -1,
    };

    /// <summary>The block hash proposed or voted for (zero for nil).</summary>
    public Hash32 Value => Message.BodyCase switch
    {
        ConsensusMessage.BodyOneofCase.Proposal => Hash32.FromBytes(Message.Proposal.Proposal.BlockHash.Span),
        ConsensusMessage.BodyOneofCase.Vote => Hash32.FromBytes(Message.Vote.Vote.BlockHash.Span),
        _ => Hash32.Zero,
    };
}
