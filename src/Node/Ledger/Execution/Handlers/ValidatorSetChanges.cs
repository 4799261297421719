using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Validator-set governance: the validator authority replaces the whole set, effective two heights later.</summary>
internal static class ValidatorSetChanges
{
    public static void SetValidatorSet(LedgerContext context, VerifiedTransaction tx, SetValidatorSet set)
    {
        // The signer (the validator authority) was checked by SignerRules, the text limits by the verifier (TOO_LARGE).
        context.MarkUsed(tx.PayloadId, "SetValidatorSet");
        if (set.Validators.Count is 0 or > ValidatorInfo.MaxValidators)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"validators must number 1..{ValidatorInfo.MaxValidators}, got {set.Validators.Count}");
        var seen = new HashSet<Address>();
        Int128 total = 0;
        for (int i = 0; i < set.Validators.Count; i++)
        {
            var entry = set.Validators[i];
            var address = Authority.Address(entry.Validator, $"validators[{i}].validator");
            if (!seen.Add(address)) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"validators[{i}].validator {address} is listed twice");
            if (entry.Power is 0 or > ValidatorInfo.MaxTotalPower)
                throw new LedgerRejection(ReasonCodes.InvalidArgument, $"validators[{i}].power must lie in [1, {ValidatorInfo.MaxTotalPower}], got {entry.Power}");
            total += entry.Power;
        }
        if (total > ValidatorInfo.MaxTotalPower)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"the total power {total} exceeds {ValidatorInfo.MaxTotalPower}");
        // Two sets committed in one block: the later one wins, as it would one block later.
        var stored = set.Clone();
        stored.Nonce = 0;
        context.State.Set(StateKeys.ValidatorSet(ValidatorSchedule.EffectiveHeight(context.Height)), stored.ToByteArray());
    }
}
