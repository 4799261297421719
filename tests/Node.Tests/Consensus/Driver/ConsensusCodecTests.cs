using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Tests.Consensus.Simulation;

namespace P2PEnergy.Node.Tests.Consensus.Driver;

/// <summary>What a consensus message must be before the machine sees it, and how a commit is checked.</summary>
public sealed class ConsensusCodecTests
{
    private static readonly SignatureRecovery Recover = (d, s) => Signer.Recover(d, s);
    private static readonly DriverHarness H = new();

    private static Block BlockBy(int builder) => H.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 1, Simulation.Simulation.AddressOf(builder));

    [Fact]
    public void Vote_SignedByItsValidator_Reads()
    {
        var signed = ConsensusCodec.ReadVote(H.Vote(2, 4, 1, VoteType.Precommit, Keccak256.Hash("b"u8)).Vote, DriverHarness.ChainId, Recover);
        Assert.Equal((4UL, 1, VoteType.Precommit, Simulation.Simulation.AddressOf(2)), (signed.Vote.Height, signed.Vote.Round, signed.Vote.Type, signed.Vote.Validator));
    }

    [Fact]
    public void Vote_SignedOnAnotherChain_DoesNotRecoverToItsValidator()
    {
        var vote = new Vote(4, 1, VoteType.Prevote, Vote.Nil, Simulation.Simulation.AddressOf(2));
        var message = ConsensusCodec.ToMessage(new SignedVote(vote, DriverHarness.Key(2).Sign(ConsensusCodec.Digest(vote, 1))));
        Assert.Contains("not by the validator it names", Assert.Throws<ConsensusMessageException>(() => ConsensusCodec.ReadVote(message, DriverHarness.ChainId, Recover)).Message);
    }

    [Theory]
    [InlineData("type")]
    [InlineData("height")]
    [InlineData("signature")]
    public void Vote_Malformed_IsRefusedNamingTheField(string what)
    {
        var message = H.Vote(2, 4, 1, VoteType.Prevote, Vote.Nil).Vote;
        string expected;
        switch (what)
        {
            case "type": message.Vote.VoteType = VoteType.Unspecified; expected = "neither prevote nor precommit"; break;
            case "height": message.Vote.Height = 0; expected = "height must be ≥ 1"; break;
            default: message.Signature = ByteString.CopyFrom(new byte[64]); expected = "vote signature"; break;
        }
        Assert.Contains(expected, Assert.Throws<ConsensusMessageException>(() => ConsensusCodec.ReadVote(message, DriverHarness.ChainId, Recover)).Message);
    }

    [Fact]
    public void Proposal_ReproposingABlockAnotherValidatorBuilt_IsAccepted()
    {
        // Regression: the block's header names who built it, which is not the round's proposer when it re-proposes an
        // earlier round's block (L16); requiring them equal rejected every such proposal (seed 34).
        var block = BlockBy(builder: 0);
        var (signed, _) = ConsensusCodec.ReadProposal(H.Proposal(3, block, round: 2, polRound: 1).Proposal, DriverHarness.ChainId, Recover);
        Assert.Equal((Simulation.Simulation.AddressOf(3), 1), (signed.Proposal.Proposer, signed.Proposal.PolRound));
    }

    [Fact]
    public void Proposal_NamingAnotherProposerThanItsSigner_IsRefused()
    {
        var message = H.Proposal(3, BlockBy(0), round: 0).Proposal;
        message.Proposer = ByteString.CopyFrom(Simulation.Simulation.AddressOf(0).Bytes);
        Assert.Contains("not by the proposer it names", Assert.Throws<ConsensusMessageException>(() => ConsensusCodec.ReadProposal(message, DriverHarness.ChainId, Recover)).Message);
    }

    [Fact]
    public void Proposal_WithAnotherBlockThanSigned_OrAnotherHeight_OrChain_IsRefused()
    {
        var message = H.Proposal(0, BlockBy(0), round: 0).Proposal;
        var swapped = message.Clone();
        swapped.Block = H.App.BuildVariant(message.Block);
        Assert.Contains("hashes to", Assert.Throws<ConsensusMessageException>(() => ConsensusCodec.ReadProposal(swapped, DriverHarness.ChainId, Recover)).Message);
        var height = message.Clone();
        height.Proposal.Height = 2;
        Assert.Contains("carries a block of height 1", Assert.Throws<ConsensusMessageException>(() => ConsensusCodec.ReadProposal(height, DriverHarness.ChainId, Recover)).Message);
        Assert.Contains("this is chain 5", Assert.Throws<ConsensusMessageException>(() => ConsensusCodec.ReadProposal(message, 5, Recover)).Message);
    }

    [Fact]
    public void Commit_OfMoreThanTwoThirds_Verifies_LessOrDuplicatedOrForeign_DoesNot()
    {
        var block = BlockBy(0);
        var hash = BlockHeaderHashing.Hash(block.Header);
        SignedVote Precommit(int i)
        {
            var vote = new Vote(1, 0, VoteType.Precommit, hash, Simulation.Simulation.AddressOf(i));
            return new SignedVote(vote, DriverHarness.Key(i).Sign(ConsensusCodec.Digest(vote, DriverHarness.ChainId)));
        }
        Block With(params int[] signers)
        {
            var committed = block.Clone();
            committed.Commit = ConsensusCodec.ToCommit(1, 0, hash, signers.Select(Precommit));
            return committed;
        }
        Assert.Null(ConsensusCodec.VerifyCommit(With(0, 1, 2), H.Set, DriverHarness.ChainId, Recover));
        Assert.Contains("2 of 4 power", ConsensusCodec.VerifyCommit(With(0, 1), H.Set, DriverHarness.ChainId, Recover));
        Assert.Contains("twice", ConsensusCodec.VerifyCommit(With(0, 1, 1), H.Set, DriverHarness.ChainId, Recover));
        Assert.Contains("is not a validator", ConsensusCodec.VerifyCommit(With(0, 1, 5), H.Set, DriverHarness.ChainId, Recover));
        var forged = With(0, 1, 2);
        forged.Commit.Signatures[2].Validator = ByteString.CopyFrom(Simulation.Simulation.AddressOf(3).Bytes);
        Assert.Contains("recovers to", ConsensusCodec.VerifyCommit(forged, H.Set, DriverHarness.ChainId, Recover));
    }
}
