using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>
/// The stateless half of an Evidence transaction's checks (DESIGN.md rule 4), run at the door and again at execution:
/// both votes well formed, both signatures recovering on this chain's domain to one validator, the same height, round
/// and vote type, different blocks (nil counts as a block). Field sizes (a 32-byte block hash) were checked when the
/// envelope's EIP-712 digest was computed, before this runs. What needs state — the offender's membership at that height,
/// the evidence's age, whether it is already recorded — is <c>EquivocationEvidence</c>'.
/// </summary>
public static class EvidenceCheck
{
    /// <summary>The validator both votes recover to; a <see cref="LedgerRejection"/> naming the first thing wrong otherwise.</summary>
    public static Address Offender(Evidence evidence, ulong chainId, ISecp256k1 secp)
    {
        var first = Signer(evidence.First, "first", chainId, secp);
        var second = Signer(evidence.Second, "second", chainId, secp);
        var (a, b) = (evidence.First.Vote, evidence.Second.Vote);
        if (first != second)
            throw new LedgerRejection(ReasonCodes.EvidenceNotConflicting, $"the first vote is signed by {first} and the second by {second}: evidence needs two votes of one validator");
        if (a.Height != b.Height || a.Round != b.Round || a.VoteType != b.VoteType)
            throw new LedgerRejection(ReasonCodes.EvidenceNotConflicting,
                $"the votes are {Describe(a)} and {Describe(b)}: equivocation needs the same height, round and vote type");
        if (a.BlockHash == b.BlockHash)
            throw new LedgerRejection(ReasonCodes.EvidenceNotConflicting, $"both votes are {Describe(a)} for the same block {Hash32.FromBytes(a.BlockHash.Span)}");
        return first;
    }

    private static Address Signer(EvidenceVote? signed, string which, ulong chainId, ISecp256k1 secp)
    {
        if (signed?.Vote is not { } vote) throw new LedgerRejection(ReasonCodes.Malformed, $"Evidence.{which} carries no vote");
        if (vote.VoteType is not (VoteType.Prevote or VoteType.Precommit))
            throw new LedgerRejection(ReasonCodes.Malformed, $"Evidence.{which}.vote.voteType must be PREVOTE (1) or PRECOMMIT (2), got {(int)vote.VoteType}");
        if (vote.Height == 0) throw new LedgerRejection(ReasonCodes.Malformed, $"Evidence.{which}.vote.height must be > 0");
        if (!Signature.TryFromBytes(signed.Signature.Span, out var signature, out var error))
            throw new LedgerRejection(ReasonCodes.BadSignature, $"Evidence.{which}.signature: {error}");
        try { return Address.FromPublicKey(secp.RecoverPublicKey(LedgerTypedData.Digest(vote, chainId).Bytes, signature!)); }
        catch (SignatureFormatException e) { throw new LedgerRejection(ReasonCodes.BadSignature, $"Evidence.{which}.signature: {e.Message}"); }
    }

    /// <summary>"prevote 12/0" — the vote's type, height and round, as messages name it.</summary>
    public static string Describe(CommitVote vote)
        => $"{(vote.VoteType == VoteType.Prevote ? "prevote" : vote.VoteType == VoteType.Precommit ? "precommit" : $"vote type {(int)vote.VoteType}")} {vote.Height}/{vote.Round}";
}
