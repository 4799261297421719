using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The voltage check: every node's LinDistFlow voltage (v², per unit squared, <see cref="VoltageTree"/>) within the
/// model's band [VMin, VMax]; a node outside it is a VOLTAGE_LIMIT refusal naming the node, its voltage and the limit.
/// </summary>
internal static class VoltageBand
{
    /// <summary>The highest node above the band, else the lowest below it, else null (no node outside).</summary>
    public static GridViolation? Check(GridModel model, VoltageTree tree, ulong interval)
        => tree.Max > model.VMaxSquared ? Violation(model, tree.ArgMax(), tree.Max, ">", model.VMaxPu, interval)
            : tree.Min < model.VMinSquared ? Violation(model, tree.ArgMin(), tree.Min, "<", model.VMinPu, interval)
            : null;

    /// <summary>Node <paramref name="node"/> at <paramref name="v2"/> above or below the band, else null.</summary>
    public static GridViolation? Check(GridModel model, int node, long v2, ulong interval)
        => v2 > model.VMaxSquared ? Violation(model, node, v2, ">", model.VMaxPu, interval)
            : v2 < model.VMinSquared ? Violation(model, node, v2, "<", model.VMinPu, interval)
            : null;

    private static GridViolation Violation(GridModel model, int node, long v2, string relation, decimal limit, ulong interval)
        => new(ReasonCodes.VoltageLimit, $"{model.Describe(node)}: voltage {GridFormat.PerUnit(v2, roundUp: relation == ">")} {relation} {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)} p.u. in {IsoTime.Format(interval)}");
}
