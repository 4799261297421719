using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>Recovers the address that signed a digest (secp256k1 by default; the simulation memoises it).</summary>
public delegate Address SignatureRecovery(Hash32 digest, Signature signature);

/// <summary>A consensus message that is malformed or badly signed; the message says which field and why.</summary>
public sealed class ConsensusMessageException(string message) : Exception(message);

/// <summary>
/// Between the core's records and the wire and log messages: the EIP-712 digests validators sign, and the checks a
/// message must pass before the core sees it (shape, signature, the block matching what was signed).
/// </summary>
public static class ConsensusCodec
{
    public static CommitVote ToCommitVote(Vote vote) => new()
    {
        Height = vote.Height, Round = (uint)vote.Round, VoteType = vote.Type, BlockHash = ByteString.CopyFrom(vote.Value.Bytes),
    };

    public static BlockProposal ToBlockProposal(Proposal proposal) => new()
    {
        Height = proposal.Height, Round = (uint)proposal.Round, PolRound = proposal.PolRound, BlockHash = ByteString.CopyFrom(proposal.Value.Bytes),
    };

    public static Hash32 Digest(Vote vote, ulong chainId) => LedgerTypedData.Digest(ToCommitVote(vote), chainId);

    public static Hash32 Digest(Proposal proposal, ulong chainId) => LedgerTypedData.Digest(ToBlockProposal(proposal), chainId);

    public static VoteMessage ToMessage(SignedVote vote) => new()
    {
        Vote = ToCommitVote(vote.Vote), Validator = ByteString.CopyFrom(vote.Vote.Validator.Bytes), Signature = ByteString.CopyFrom(vote.Signature.Bytes),
    };

    public static ProposalMessage ToMessage(SignedProposal proposal, Block block) => new()
    {
        Proposal = ToBlockProposal(proposal.Proposal), Signature = ByteString.CopyFrom(proposal.Signature.Bytes), Block = block,
        Proposer = ByteString.CopyFrom(proposal.Proposal.Proposer.Bytes),
    };

    /// <summary>
    /// The vote in <paramref name="message"/>. With <paramref name="recover"/> the signature must recover to the named
    /// validator; without (replaying this node's own log) the name is trusted, as it was checked when it arrived.
    /// </summary>
    public static SignedVote ReadVote(VoteMessage message, ulong chainId, SignatureRecovery? recover)
    {
        var v = message.Vote ?? throw new ConsensusMessageException("vote message carries no vote");
        if (v.Height == 0) throw new ConsensusMessageException("vote height must be ≥ 1");
        if (v.Round > int.MaxValue) throw new ConsensusMessageException($"vote round {v.Round} exceeds {int.MaxValue}");
        if (v.VoteType is not (VoteType.Prevote or VoteType.Precommit)) throw new ConsensusMessageException($"vote type {v.VoteType} is neither prevote nor precommit");
        var vote = new SignedVote(new Vote(v.Height, (int)v.Round, v.VoteType, Hash(v.BlockHash, "vote blockHash"), Addr(message.Validator, "vote validator")),
            Sig(message.Signature, "vote signature"));
        if (recover is not null) Verify(vote, chainId, recover);
        return vote;
    }

    /// <summary>Throws unless the vote's signature recovers to the validator it names.</summary>
    public static void Verify(SignedVote vote, ulong chainId, SignatureRecovery recover)
    {
        var signer = Recover(recover, Digest(vote.Vote, chainId), vote.Signature, "vote");
        if (signer != vote.Vote.Validator) throw new ConsensusMessageException($"{vote.Vote} is signed by {signer}, not by the validator it names");
    }

    /// <summary>
    /// The proposal in <paramref name="message"/> and its block: the block's header must hash to the signed block hash and
    /// be of the proposal's height. With <paramref name="recover"/> the signature must recover to the named proposer;
    /// without (this node's own log) the name is trusted. The header's proposer is whoever built the block, which is not
    /// the round's proposer when it re-proposes an earlier round's block (L16).
    /// </summary>
    public static (SignedProposal Proposal, Block Block) ReadProposal(ProposalMessage message, ulong chainId, SignatureRecovery? recover)
    {
        var p = message.Proposal ?? throw new ConsensusMessageException("proposal message carries no proposal");
        var block = message.Block ?? throw new ConsensusMessageException("proposal message carries no block");
        var header = block.Header ?? throw new ConsensusMessageException("proposed block has no header");
        if (p.Height == 0) throw new ConsensusMessageException("proposal height must be ≥ 1");
        if (p.Round > int.MaxValue) throw new ConsensusMessageException($"proposal round {p.Round} exceeds {int.MaxValue}");
        if (p.PolRound < -1 || p.PolRound >= p.Round) throw new ConsensusMessageException($"polRound {p.PolRound} must lie in [-1, {(long)p.Round - 1}]");
        var value = Hash(p.BlockHash, "proposal blockHash");
        var signature = Sig(message.Signature, "proposal signature");
        if (header.ChainId != chainId) throw new ConsensusMessageException($"proposed block is for chain {header.ChainId}, this is chain {chainId}");
        if (header.Height != p.Height) throw new ConsensusMessageException($"proposal for height {p.Height} carries a block of height {header.Height}");
        if (BlockHeaderHashing.Hash(header) != value) throw new ConsensusMessageException($"proposed block hashes to {BlockHeaderHashing.Hash(header)}, the proposal signs {value}");
        var proposal = new SignedProposal(new Proposal(p.Height, (int)p.Round, value, (int)p.PolRound, Addr(message.Proposer, "proposer")), signature);
        if (recover is not null) Verify(proposal, chainId, recover);
        return (proposal, block);
    }

    /// <summary>Throws unless the proposal's signature recovers to the proposer it names.</summary>
    public static void Verify(SignedProposal proposal, ulong chainId, SignatureRecovery recover)
    {
        var signer = Recover(recover, Digest(proposal.Proposal, chainId), proposal.Signature, "proposal");
        if (signer != proposal.Proposal.Proposer) throw new ConsensusMessageException($"{proposal.Proposal} is signed by {signer}, not by the proposer it names");
    }

    /// <summary>
    /// The precommits of a decided block's commit: each must recover to the validator it names. Whether they add up to
    /// more than 2/3 of the power is the vote keeper's question.
    /// </summary>
    public static (int Round, Hash32 Value, IReadOnlyList<SignedVote> Precommits) ReadCommit(Block block, ulong chainId, SignatureRecovery? recover)
    {
        var header = block.Header ?? throw new ConsensusMessageException("decided block has no header");
        var commit = block.Commit ?? throw new ConsensusMessageException("decided block has no commit");
        if (header.ChainId != chainId) throw new ConsensusMessageException($"decided block is for chain {header.ChainId}, this is chain {chainId}");
        if (commit.Height != header.Height) throw new ConsensusMessageException($"commit for height {commit.Height} on a block of height {header.Height}");
        if (commit.Round > int.MaxValue) throw new ConsensusMessageException($"commit round {commit.Round} exceeds {int.MaxValue}");
        var value = BlockHeaderHashing.Hash(header);
        if (Hash(commit.BlockHash, "commit blockHash") != value) throw new ConsensusMessageException($"commit signs {Hash(commit.BlockHash, "commit blockHash")}, the block hashes to {value}");
        var precommits = new List<SignedVote>(commit.Signatures.Count);
        foreach (var s in commit.Signatures)
        {
            var vote = new Vote(header.Height, (int)commit.Round, VoteType.Precommit, value, Addr(s.Validator, "commit validator"));
            var signature = Sig(s.Signature, "commit signature");
            if (recover is not null && Recover(recover, Digest(vote, chainId), signature, "commit") is var signer && signer != vote.Validator)
                throw new ConsensusMessageException($"commit signature of {vote.Validator} recovers to {signer}");
            precommits.Add(new SignedVote(vote, signature));
        }
        return ((int)commit.Round, value, precommits);
    }

    /// <summary>A block's commit from the precommits that decided it.</summary>
    public static BlockCommit ToCommit(ulong height, int round, Hash32 value, IEnumerable<SignedVote> precommits)
    {
        var commit = new BlockCommit { Height = height, Round = (uint)round, BlockHash = ByteString.CopyFrom(value.Bytes) };
        commit.Signatures.AddRange(precommits.OrderBy(p => p.Vote.Validator).Select(p => new CommitSignature
        {
            Validator = ByteString.CopyFrom(p.Vote.Validator.Bytes), Signature = ByteString.CopyFrom(p.Signature.Bytes),
        }));
        return commit;
    }

    /// <summary>
    /// Whether <paramref name="block"/>'s commit holds valid precommits of more than 2/3 of <paramref name="validators"/>'
    /// power for it (what a node syncing blocks checks). Null when it does; otherwise why not.
    /// </summary>
    public static string? VerifyCommit(Block block, ValidatorSet validators, ulong chainId, SignatureRecovery recover)
    {
        try
        {
            var (_, _, precommits) = ReadCommit(block, chainId, recover);
            long power = 0;
            var seen = new HashSet<Address>();
            foreach (var p in precommits)
            {
                if (!seen.Add(p.Vote.Validator)) return $"commit lists {p.Vote.Validator} twice";
                if (!validators.Contains(p.Vote.Validator)) return $"commit signer {p.Vote.Validator} is not a validator";
                power += validators.PowerOf(p.Vote.Validator);
            }
            return Quorum.TwoThirds(power, validators.TotalPower) ? null : $"commit holds {power} of {validators.TotalPower} power, not more than 2/3";
        }
        catch (ConsensusMessageException e) { return e.Message; }
    }

    private static Address Recover(SignatureRecovery recover, Hash32 digest, Signature signature, string what)
    {
        try { return recover(digest, signature); }
        catch (SignatureFormatException e) { throw new ConsensusMessageException($"{what} signature recovers to no key: {e.Message}"); }
    }

    private static Hash32 Hash(ByteString bytes, string field) => FieldBytes.Hash(bytes, field, message => new ConsensusMessageException(message));

    private static Address Addr(ByteString bytes, string field) => FieldBytes.Address(bytes, field, message => new ConsensusMessageException(message));

    private static Signature Sig(ByteString bytes, string field)
        => Signature.TryFromBytes(bytes.Span, out var signature, out var error) ? signature! : throw new ConsensusMessageException($"{field}: {error}");
}
