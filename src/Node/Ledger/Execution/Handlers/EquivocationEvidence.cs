using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>
/// Evidence of equivocation (docs/consensus.md "Evidence"): the stateful half of its checks and the record of the
/// offender. The votes were checked by <see cref="EvidenceCheck"/> (one signer, one height, round and type, two
/// blocks); here the height must lie within <see cref="MaxAgeBlocks"/> of the block, the offender must have been a
/// validator in force at that height, and each (validator, height, round, vote type) is recorded once, whichever
/// validator reports it first. The record names the offender; removing it is the governance authority's decision (a
/// SetValidatorSet, in force at H + 2), not an automatic penalty.
/// </summary>
internal static class EquivocationEvidence
{
    /// <summary>
    /// How far back evidence may reach, in blocks: about 28 hours at one block a second. Old enough for a validator that
    /// was down for a day to report what it saw before; young enough that a validator key retired long ago — whose
    /// operator may no longer guard it, or may have leaked it — cannot be used to frame that operator for heights it
    /// signed honestly years before. A constant, not a genesis parameter: changing it is a protocol change.
    /// </summary>
    public const ulong MaxAgeBlocks = 100_000;

    /// <summary>The kind a record names (the only one so far: two votes for different blocks).</summary>
    public const string Equivocation = "equivocation";

    /// <summary>Who may submit evidence: a validator in force at the block that commits it (its key signs the envelope).</summary>
    public static void RequireSubmitter(LedgerContext context, VerifiedTransaction tx)
    {
        var signer = tx.Signers[0]; // the verifier allows this kind exactly one envelope signature
        if (!ValidatorSchedule.InForce(context.State, context.Parameters, context.Height).Any(v => v.Address == signer))
            throw new LedgerRejection(ReasonCodes.Unauthorized, $"Evidence is signed by {signer}, who is not a validator in force at height {context.Height}; only validators submit evidence");
    }

    public static void Evidence(LedgerContext context, VerifiedTransaction tx, Evidence evidence)
    {
        var offender = tx.Offender ?? throw new InvalidOperationException("an Evidence transaction reached its handler without its offender recovered");
        var vote = evidence.First.Vote;
        ulong height = vote.Height;
        if (height > context.Height)
            throw new LedgerRejection(ReasonCodes.EvidenceOutOfRange, $"evidence height {height} is after this block's height {context.Height}");
        if (context.Height - height > MaxAgeBlocks)
            throw new LedgerRejection(ReasonCodes.EvidenceOutOfRange,
                $"evidence height {height} is {context.Height - height} blocks before this block's height {context.Height}; the limit is {MaxAgeBlocks}");
        var entry = ValidatorSchedule.InForce(context.State, context.Parameters, height).FirstOrDefault(v => v.Address == offender)
            ?? throw new LedgerRejection(ReasonCodes.EvidenceNotAValidator, $"{offender} was not a validator in force at height {height}");
        var key = StateKeys.Misbehaviour(height, offender, vote.Round, (int)vote.VoteType);
        if (context.State.Get(key) is { } existing)
            throw new LedgerRejection(ReasonCodes.EvidenceDuplicate,
                $"{offender}'s equivocation in {EvidenceCheck.Describe(vote)} is already recorded (committed at height {MisbehaviourRecord.Parser.ParseFrom(existing).CommittedAt})");
        context.State.Set(key, new MisbehaviourRecord
        {
            Validator = ByteString.CopyFrom(offender.Bytes), Height = height, Round = vote.Round, VoteType = vote.VoteType, Kind = Equivocation,
            FirstBlockHash = evidence.First.Vote.BlockHash, SecondBlockHash = evidence.Second.Vote.BlockHash, Power = (ulong)entry.Power,
            ReportedBy = ByteString.CopyFrom(tx.Signers[0].Bytes), CommittedAt = context.Height, TransactionId = ByteString.CopyFrom(tx.Id.Bytes),
        }.ToByteArray());
    }
}
