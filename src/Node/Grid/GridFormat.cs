using System.Globalization;

namespace P2PEnergy.Node.Grid;

/// <summary>Voltages in grid rejection messages ("1.051200 p.u."), culture-invariant (DESIGN.md rule 6); powers are <see cref="Contracts.Energy.Watts"/>.</summary>
public static class GridFormat
{
    /// <summary>
    /// Voltage from its fixed-point square to 6 decimals: rounded up for a value above a limit and down below one,
    /// so a message never shows a violating voltage equal to its limit.
    /// </summary>
    public static string PerUnit(long voltageSquared, bool roundUp)
    {
        var square = (Int128)Math.Max(0, voltageSquared);
        var micro = LinDistFlow.IntegerSqrt(square); // √(p.u.² × 10^12) = p.u. × 10^6
        if (roundUp && micro * micro < square) micro++;
        return ((long)micro / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture) + " p.u.";
    }

    /// <summary>A change of v² from its fixed-point value (p.u.² × 10^12), to 6 decimals, truncated: "-12,345.678901 p.u.²".</summary>
    public static string PerUnitSquared(Int128 scaled)
    {
        var magnitude = scaled < 0 ? -scaled : scaled;
        var whole = (ulong)(magnitude / GridModel.VoltageSquaredScale);
        var micro = (long)(magnitude % GridModel.VoltageSquaredScale / 1_000_000);
        return (scaled < 0 ? "-" : "") + whole.ToString("N0", CultureInfo.InvariantCulture) + "." + micro.ToString("D6", CultureInfo.InvariantCulture) + " p.u.²";
    }
}
