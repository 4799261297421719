using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Consensus.ValidatorSets;

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
        foreach (var (from, validators) in Changes(state))
        {
            if (from > height) break;
            current = validators;
        }
        return current;
    }

    /// <summary>Every set change in committed state, by the height it takes effect from, ascending.</summary>
    public static IEnumerable<(ulong FromHeight, IReadOnlyList<ValidatorInfo> Validators)> Changes(IStateReader state)
    {
        foreach (var (key, value) in state.Scan(StateKeys.ValidatorSetPrefix))
        {
            // Keys are StateKeys.Number heights: ordinal order is height order.
            var (from, length) = StateKeys.ParseNumber(key.AsSpan(StateKeys.ValidatorSetPrefix.Length));
            if (StateKeys.ValidatorSetPrefix.Length + length != key.Length) throw new FormatException($"validator-set key '{key}' has characters after its height");
            yield return (from, Parse(value));
        }
    }

    /// <summary>The set that takes effect exactly at <paramref name="height"/>, or null when none does.</summary>
    public static IReadOnlyList<ValidatorInfo>? ChangeAt(IStateReader state, ulong height)
        => state.Get(StateKeys.ValidatorSet(height)) is { } value ? Parse(value) : null;

    private static List<ValidatorInfo> Parse(byte[] stored)
        => SetValidatorSet.Parser.ParseFrom(stored).Validators
            .Select(v => new ValidatorInfo(Address.FromBytes(v.Validator.Span), (long)v.Power, "") { Operator = v.Operator, Role = v.Role })
            .ToList();
}
