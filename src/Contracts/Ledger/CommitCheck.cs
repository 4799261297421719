using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>What checking a block's commit found: the power that signed it, the set's total, and why it fails (null: it holds).</summary>
public sealed record CommitVerdict(long SignedPower, long TotalPower, string? Code, string? Problem)
{
    public bool Holds => Code is null;
}

/// <summary>
/// Checks a block's commit without a node, as an auditor or the EVM anchor does: every signature is a precommit
/// (EIP-712 CommitVote, voteType 2) for the header's hash in the commit's round, recovered to the validator it names, each
/// validator at most once, and together more than 2/3 of the set's power — the ledger's quorum, in exact integers.
/// </summary>
public static class CommitCheck
{
    public const string HeaderMismatch = "HEADER_MISMATCH", BadSignature = "BAD_SIGNATURE", NotAValidator = "NOT_A_VALIDATOR",
        DuplicateSigner = "DUPLICATE_SIGNER", InsufficientPower = "INSUFFICIENT_POWER";

    /// <summary>Whether <paramref name="commit"/> proves <paramref name="header"/> on the ledger <paramref name="chainId"/> signed by <paramref name="validators"/>.</summary>
    public static CommitVerdict Verify(BlockHeader header, BlockCommit commit, IReadOnlyList<(Address Address, long Power)> validators, ulong chainId)
    {
        long total = validators.Sum(v => v.Power);
        var hash = BlockHeaderHashing.Hash(header);
        if (commit.Height != header.Height)
            return new(0, total, HeaderMismatch, $"the commit is for height {commit.Height}, the header is {header.Height}");
        if (commit.BlockHash.Length != 32 || Hash32.FromBytes(commit.BlockHash.Span) != hash)
            return new(0, total, HeaderMismatch, $"the commit signs {Hex.Encode(commit.BlockHash.Span)}, the header hashes to {hash}");
        var vote = new CommitVote { Height = header.Height, Round = commit.Round, BlockHash = commit.BlockHash, VoteType = VoteType.Precommit };
        var digest = LedgerTypedData.Digest(vote, chainId);
        var powers = validators.ToDictionary(v => v.Address, v => v.Power);
        var seen = new HashSet<Address>();
        long signed = 0;
        for (int i = 0; i < commit.Signatures.Count; i++)
        {
            var entry = commit.Signatures[i];
            if (entry.Validator.Length != 20) return new(signed, total, BadSignature, $"commit signature {i} names a {entry.Validator.Length}-byte validator");
            var named = Address.FromBytes(entry.Validator.Span);
            if (!Signature.TryFromBytes(entry.Signature.Span, out var signature, out var error))
                return new(signed, total, BadSignature, $"commit signature {i} of {named}: {error}");
            Address signer;
            try { signer = Signer.Recover(digest, signature!); }
            catch (SignatureFormatException e) { return new(signed, total, BadSignature, $"commit signature {i} of {named} recovers to no key: {e.Message}"); }
            if (signer != named) return new(signed, total, BadSignature, $"commit signature {i} names {named} but recovers to {signer}");
            if (!powers.TryGetValue(signer, out long power)) return new(signed, total, NotAValidator, $"commit signer {signer} is not in the validator set");
            if (!seen.Add(signer)) return new(signed, total, DuplicateSigner, $"commit lists {signer} twice");
            signed += power;
        }
        // Quorum.TwoThirds: more than 2/3 of the total; Int128 as powers go up to 2^60.
        return (Int128)signed * 3 > (Int128)total * 2
            ? new(signed, total, null, null)
            : new(signed, total, InsufficientPower, $"the commit holds {signed} of {total} voting power, not more than 2/3");
    }
}
