namespace P2PEnergy.Node.Ledger.Genesis;

/// <summary>
/// Warnings about a validator set that is valid but not Byzantine-fault tolerant in practice: Tendermint tolerates
/// faulty power below 1/3, so one operator with ≥ 1/3 can stop the chain by itself.
/// </summary>
public static class ValidatorAdvice
{
    /// <summary>One line per named operator holding ≥ 1/3 of the total power; nothing when no operator is named.</summary>
    public static IReadOnlyList<string> OperatorShares(IReadOnlyList<ValidatorInfo> validators)
    {
        if (validators.All(v => v.Operator.Length == 0)) return [];
        var total = validators.Aggregate(Int128.Zero, (sum, v) => sum + v.Power);
        return validators.Where(v => v.Operator.Length > 0)
            .GroupBy(v => v.Operator, StringComparer.Ordinal)
            .Select(g => (Operator: g.Key, Power: g.Aggregate(Int128.Zero, (sum, v) => sum + v.Power)))
            .Where(o => 3 * o.Power >= total)
            .OrderBy(o => o.Operator, StringComparer.Ordinal)
            .Select(o => $"operator '{o.Operator}' holds {o.Power} of {total} voting power (≥ 1/3): it alone can halt consensus; spread the power over at least four operators so none holds 1/3")
            .ToList();
    }
}
