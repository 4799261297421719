using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Consensus.Validators;

/// <summary>
/// Which validators are in force at a height: the genesis set, replaced by each SetValidatorSet from two heights after
/// the block that committed it. The delay is Tendermint's: block H's execution is known only once H is decided, and
/// the proposer of H + 1 is already chosen by then, so H + 2 is the first height whose set every node can know.
/// </summary>
public static class ValidatorSchedule
{
    /// <summary>A set committed in block H is in force from H + <see cref="ActivationDelay"/>.</summary>
    public const ulong ActivationDelay = 2;

    public static ulong EffectiveHeight(ulong committedAt) => checked(committedAt + ActivationDelay);

    /// <summary>The validators in force at <paramref name="height"/>, read from committed state.</summary>
    public static IReadOnlyList<ValidatorInfo> InForce(IStateReader state, ChainParameters parameters, ulong height)
    {
        IReadOnlyList<ValidatorInfo> current = parameters.Validators;
        string last = StateKeys.ValidatorSet(height);
        foreach (var (key, value) in state.Scan(StateKeys.ValidatorSetPrefix))
        {
            if (string.CompareOrdinal(key, last) > 0) break; // keys are zero-padded heights: ordinal order is height order
            current = SetValidatorSet.Parser.ParseFrom(value).Validators
                .Select(v => new ValidatorInfo(Address.FromBytes(v.Validator.Span), (long)v.Power, "") { Operator = v.Operator, Role = v.Role })
                .ToList();
        }
        return current;
    }
}
