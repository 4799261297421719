using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// A flow or voltage beyond what the flow book's fixed-point integers hold. It carries the refusal — the limit code of
/// the quantity and a message naming the element, the interval and the range — so no caller has to guess what
/// overflowed: a check returns it as its violation, building a book refuses with it.
/// </summary>
public sealed class GridRangeException(GridViolation violation) : Exception(violation.Message)
{
    public GridViolation Violation { get; } = violation;

    /// <summary>A branch's active or reactive power (W or var) outside 64 bits: more than any rating (THERMAL_LIMIT).</summary>
    public static GridRangeException Flow(GridModel model, int node, ulong interval, string quantity, string unit, Int128 value)
        => new(new(ReasonCodes.ThermalLimit,
            $"{model.Describe(node)}: {quantity} of {Watts.FormatKilo(value, unit)} exceeds the ledger's range of ±{Watts.FormatKilo(long.MaxValue, unit)} in {IsoTime.Format(interval)}"));

    /// <summary>A branch's v² rise (or drop) beyond <see cref="GridModel.MaxBranchRise"/>: far outside the band (VOLTAGE_LIMIT).</summary>
    public static GridRangeException Voltage(GridModel model, int node, ulong interval, Int128 rise)
        => new(new(ReasonCodes.VoltageLimit,
            $"{model.Describe(node)}: voltage {(rise < 0 ? "drop" : "rise")} across the branch of {GridFormat.PerUnitSquared(rise < 0 ? -rise : rise)} in v² exceeds the fixed-point range of ±{GridFormat.PerUnitSquared(model.MaxBranchRise)} per branch of this model in {IsoTime.Format(interval)}"));

    /// <summary>A meter's net contracted export or its reactive power outside 64 bits (INVALID_ARGUMENT: its registered limit may be higher).</summary>
    public static GridRangeException Meter(MeterPoint meter, ulong interval, string quantity, string unit, Int128 value)
        => new(new(ReasonCodes.InvalidArgument,
            $"meter {meter.Id}: {quantity} of {Watts.FormatKilo(value, unit)} exceeds the ledger's range of ±{Watts.FormatKilo(long.MaxValue, unit)} in {IsoTime.Format(interval)}"));
}
