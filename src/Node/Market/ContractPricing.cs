using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Market;

/// <summary>What a contract costs, in micro-units, at the rates in force for its first interval.</summary>
public sealed record ContractCosts(ulong PaymentPerInterval, ulong Payment, ulong DmoFeeBuyer, ulong DmoFeeSeller, ulong GridFee)
{
    /// <summary>What the buyer must escrow: the payment, its DMO share and the grid fee.</summary>
    public ulong BuyerEscrow => checked(Payment + DmoFeeBuyer + GridFee);
}

/// <summary>
/// Prices a contract in integers. Energy payment per interval = ⌊Wh × price/kWh ÷ 1000⌋, so every interval settles
/// the same whole amount; fees are locked at commit at the rates in force for the contract's first interval.
/// Products use checked Int128 so no realistic input overflows; an absurd one is refused (INVALID_ARGUMENT), never wrapped.
/// </summary>
public static class ContractPricing
{
    public static ContractCosts Price(SetDmoFees dmo, SetGridFees grid, PathLevel level, ulong whPerInterval, uint intervalCount, ulong pricePerKwh)
    {
        // Checked: a product of two 64-bit maxima passes Int128's range and would wrap to a small, wrong price.
        try { return checked(PriceChecked(dmo, grid, level, whPerInterval, intervalCount, pricePerKwh)); }
        catch (OverflowException)
        {
            throw new LedgerRejection(ReasonCodes.InvalidArgument,
                $"{whPerInterval} Wh in each of {intervalCount} intervals at {pricePerKwh} micro-units per kWh costs more than the largest amount the ledger holds ({ulong.MaxValue})");
        }
    }

    private static ContractCosts PriceChecked(SetDmoFees dmo, SetGridFees grid, PathLevel level, ulong whPerInterval, uint intervalCount, ulong pricePerKwh)
    {
        checked
        {
            Int128 totalWh = (Int128)whPerInterval * intervalCount;
            var perInterval = ToMicros((Int128)whPerInterval * pricePerKwh / 1000, "payment per interval");
            var payment = ToMicros((Int128)perInterval * intervalCount, "payment");
            var dmoFee = ToMicros(dmo.FixedPerContract + totalWh * dmo.PerKwh / 1000, "DMO fee");
            var buyerShare = ToMicros((Int128)dmoFee * dmo.BuyerSharePermille / 1000, "DMO fee buyer share");
            ulong gridRate = level switch
            {
                PathLevel.SameTransformer => grid.SameTransformerPerKwh,
                PathLevel.SameFeeder => grid.SameFeederPerKwh,
                PathLevel.SameSubstation => grid.SameSubstationPerKwh,
                _ => grid.AcrossSubstationsPerKwh,
            };
            var gridFee = ToMicros(totalWh * gridRate / 1000, "grid fee");
            var costs = new ContractCosts(perInterval, payment, buyerShare, dmoFee - buyerShare, gridFee);
            _ = ToMicros((Int128)costs.Payment + costs.DmoFeeBuyer + costs.GridFee, "buyer escrow");
            return costs;
        }
    }

    private static ulong ToMicros(Int128 value, string what)
        => value <= ulong.MaxValue ? (ulong)value
            : throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{what} of {value} micro-units exceeds the largest amount the ledger holds ({ulong.MaxValue})");
}
