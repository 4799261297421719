using P2PEnergy.Contracts.Ledger;
using System.Buffers.Binary;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>
/// Snapshot heights (every genesis snapshotIntervalBlocks blocks): block H records which validators are in force at H,
/// and AttestStateRoot records each one's attestation of StateRoot(H) and the app hash of H, one per validator per
/// height (the same one again changes nothing), certifying H once more than 2/3 of the power at H attested one pair.
/// Every step is bounded: the record is one read of the validator-set history per snapshot height, an attestation
/// reads and writes a fixed handful of keys.
/// </summary>
internal static class SnapshotCertification
{
    /// <summary>Block-level, before the block's transactions: at a snapshot height, the validators in force there.</summary>
    public static void RecordSnapshotHeight(LedgerContext context)
    {
        ulong interval = context.Parameters.SnapshotIntervalBlocks;
        if (interval == 0 || context.Height % interval != 0) return;
        var set = new SetValidatorSet();
        foreach (var v in ValidatorSchedule.InForce(context.State, context.Parameters, context.Height))
            set.Validators.Add(new ValidatorEntry { Validator = ByteString.CopyFrom(v.Address.Bytes), Power = (ulong)v.Power, Operator = v.Operator, Role = v.Role });
        context.State.Set(StateKeys.SnapshotValidators(context.Height), set.ToByteArray());
    }

    /// <summary>The validators in force at snapshot height <paramref name="height"/>; a refusal naming why it is no snapshot height yet.</summary>
    public static SetValidatorSet ValidatorsAt(LedgerContext context, ulong height)
    {
        ulong interval = context.Parameters.SnapshotIntervalBlocks;
        if (interval == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, "this chain takes no snapshots (genesis snapshotIntervalBlocks is 0)");
        if (height == 0 || height % interval != 0)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"height {height} is not a snapshot height (a positive multiple of {interval})");
        if (height >= context.Height)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"snapshot height {height} is not committed yet (this block is {context.Height})");
        return context.State.Get(StateKeys.SnapshotValidators(height)) is { } bytes ? SetValidatorSet.Parser.ParseFrom(bytes)
            : throw new LedgerRejection(ReasonCodes.NotFound, $"snapshot height {height} has no validator record (it predates snapshots on this chain)");
    }

    /// <summary>The signer's entry in the set, or UNAUTHORIZED: only a validator in force at H attests H (SignerRules).</summary>
    public static ValidatorEntry RequireValidator(LedgerContext context, VerifiedTransaction tx, AttestStateRoot attest)
    {
        var set = ValidatorsAt(context, attest.Height);
        var signer = tx.Signers.Count == 1 ? tx.Signers[0] : throw new LedgerRejection(ReasonCodes.BadSignature, $"AttestStateRoot needs 1 signature, got {tx.Signers.Count}");
        return set.Validators.FirstOrDefault(v => v.Validator.Span.SequenceEqual(signer.Bytes))
            ?? throw new LedgerRejection(ReasonCodes.Unauthorized, $"AttestStateRoot for height {attest.Height} is signed by {signer}, who is not a validator in force at that height");
    }

    public static void AttestStateRoot(LedgerContext context, VerifiedTransaction tx, AttestStateRoot attest)
    {
        var stateRoot = Authority.Hash(attest.StateRoot, "stateRoot");
        var appHash = Authority.Hash(attest.AppHash, "appHash");
        var entry = RequireValidator(context, tx, attest);
        var signer = tx.Signers[0];
        var key = StateKeys.SnapshotAttestation(attest.Height, signer);
        if (context.State.Get(key) is { } previous)
        {
            var earlier = StateRootAttestation.Parser.ParseFrom(previous);
            if (earlier.StateRoot == attest.StateRoot && earlier.AppHash == attest.AppHash) return; // the same attestation again
            throw new LedgerRejection(ReasonCodes.AlreadyExists,
                $"validator {signer} already attested height {attest.Height} with state root {Hash32.FromBytes(earlier.StateRoot.Span)} and app hash {Hash32.FromBytes(earlier.AppHash.Span)}");
        }
        context.State.Set(key, new StateRootAttestation { StateRoot = attest.StateRoot, AppHash = attest.AppHash, TransactionId = ByteString.CopyFrom(tx.Id.Bytes), Power = entry.Power }.ToByteArray());

        var tallyKey = StateKeys.SnapshotTally(attest.Height, stateRoot, appHash);
        ulong tally = checked((context.State.Get(tallyKey) is { } bytes ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0) + entry.Power);
        var encoded = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(encoded, tally);
        context.State.Set(tallyKey, encoded);

        var certificateKey = StateKeys.SnapshotCertificate(attest.Height);
        if (context.State.Get(certificateKey) is not null) return;
        ulong total = ValidatorsAt(context, attest.Height).Validators.Aggregate(0UL, (sum, v) => checked(sum + v.Power));
        if ((UInt128)tally * 3 <= (UInt128)total * 2) return;
        context.State.Set(certificateKey, new SnapshotCertificate
        {
            StateRoot = attest.StateRoot, AppHash = attest.AppHash, Power = tally, TotalPower = total, CertifiedAt = context.Height,
        }.ToByteArray());
    }
}
