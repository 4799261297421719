using System.Globalization;

namespace P2PEnergy.Contracts.Energy;

/// <summary>
/// An amount of energy in whole watt-hours, the ledger's unit (signed: a net export or an imbalance may be negative).
/// People read and write it in kWh with three decimals (<c>1.500 kWh</c>): one Wh is the smallest step.
/// </summary>
public readonly record struct WattHours(long Wh) : IComparable<WattHours>
{
    /// <summary>Energy from an unsigned ledger field (a contract's Wh per interval); throws above 2^63 − 1 Wh.</summary>
    public static WattHours FromWh(ulong wh) => new(checked((long)wh));

    /// <summary>The kWh number alone, three decimals: <c>1.500</c>, <c>-0.004</c>.</summary>
    public string Kwh => FormatKwh(Wh);

    /// <summary><c>1.500 kWh</c>.</summary>
    public override string ToString() => Kwh + " kWh";

    public int CompareTo(WattHours other) => Wh.CompareTo(other.Wh);

    /// <summary>Any whole number of Wh (unsigned ledger fields included) as kWh with three decimals, culture-invariant.</summary>
    public static string FormatKwh(Int128 wh)
    {
        var magnitude = Int128.Abs(wh);
        return (wh < 0 ? "-" : "") + (magnitude / 1000).ToString(CultureInfo.InvariantCulture) + "." + ((int)(magnitude % 1000)).ToString("D3", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// kWh as people write it (<c>1.5</c>, <c>0.020</c>, <c>-2</c>; no exponent, no thousands separators) to whole Wh.
    /// False with the problem (not a number, more than three decimals, out of range) in <paramref name="problem"/>.
    /// </summary>
    public static bool TryParseKwh(string text, out WattHours energy, out string problem)
    {
        energy = default;
        if (!Decimals.TryParse(text, 3, out var value, out problem, unitName: "Wh", smallest: "0.001 kWh")) return false;
        if (value > long.MaxValue || value < long.MinValue) { problem = "is more energy than the ledger holds"; return false; }
        energy = new WattHours((long)value);
        return true;
    }
}
