using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// What one interval of a contract releases from the buyer's escrow. The payment divides exactly (it was priced
/// per interval); each fee is spread by cumulative floor, ⌊fee·(k+1)/n⌋ − ⌊fee·k/n⌋, so the n instalments sum to
/// the fee exactly and no micro-unit is ever left in escrow.
/// </summary>
public readonly record struct ContractInstalment(ulong Payment, ulong DmoFeeBuyer, ulong DmoFeeSeller, ulong GridFee)
{
    /// <summary>What leaves the buyer's escrow for this interval.</summary>
    public ulong EscrowReleased => checked(Payment + DmoFeeBuyer + GridFee);

    /// <summary>The instalment of interval <paramref name="k"/> (0-based) of <paramref name="contract"/>.</summary>
    public static ContractInstalment Of(ContractState contract, uint k)
        => Of(contract.Payment, contract.DmoFeeBuyer, contract.DmoFeeSeller, contract.GridFee, contract.Terms.IntervalCount, k);

    /// <summary>The same, from the allocation-free view of a contract's interval index entry (ContractDue).</summary>
    public static ContractInstalment Of(in ContractDueReader contract, uint k)
        => Of(contract.Payment, contract.DmoFeeBuyer, contract.DmoFeeSeller, contract.GridFee, contract.IntervalCount, k);

    private static ContractInstalment Of(ulong payment, ulong dmoFeeBuyer, ulong dmoFeeSeller, ulong gridFee, uint n, uint k)
        => new(payment / n, Share(dmoFeeBuyer, k, n), Share(dmoFeeSeller, k, n), Share(gridFee, k, n));

    /// <summary>Σ of the escrow released by the first <paramref name="settled"/> intervals.</summary>
    public static ulong Released(ContractState contract, uint settled)
    {
        uint n = contract.Terms.IntervalCount;
        return checked(contract.Payment / n * settled + Cumulative(contract.DmoFeeBuyer, settled, n) + Cumulative(contract.GridFee, settled, n));
    }

    private static ulong Share(ulong total, uint k, uint n) => Cumulative(total, k + 1, n) - Cumulative(total, k, n);

    private static ulong Cumulative(ulong total, uint k, uint n) => (ulong)((Int128)total * k / n);
}
