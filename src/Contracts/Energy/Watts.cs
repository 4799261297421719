using System.Globalization;

namespace P2PEnergy.Contracts.Energy;

/// <summary>
/// Active power in whole watts (signed: flows towards the parent are positive). Shown in kW with thousands separators
/// and only the decimals that are non-zero (<c>5,310 kW</c>, <c>7.2 kW</c>), as grid messages name limits.
/// </summary>
public readonly record struct Watts(long W) : IComparable<Watts>
{
    /// <summary><c>5,310 kW</c>.</summary>
    public override string ToString() => FormatKilo(W);

    public int CompareTo(Watts other) => W.CompareTo(other.W);

    /// <summary>Watts (or VA, var) as kilo-units: thousands separators, only the non-zero decimals, culture-invariant.</summary>
    public static string FormatKilo(Int128 watts, string unit = "kW")
    {
        var magnitude = Int128.Abs(watts);
        var whole = magnitude / 1000;
        var rest = (int)(magnitude % 1000);
        var text = whole.ToString("N0", CultureInfo.InvariantCulture) + (rest == 0 ? "" : "." + rest.ToString("D3", CultureInfo.InvariantCulture).TrimEnd('0'));
        return (watts < 0 ? "-" : "") + text + " " + unit;
    }

    /// <summary>
    /// Power as people write it: <c>7200</c> or <c>7200W</c> (watts) or <c>7.2kW</c> (kilowatts, up to three decimals),
    /// a space before the unit allowed. False with the problem in <paramref name="problem"/>.
    /// </summary>
    public static bool TryParse(string text, out Watts power, out string problem)
    {
        power = default;
        var t = text.Trim();
        int scale = 0;
        if (t.EndsWith("kW", StringComparison.Ordinal)) { scale = 3; t = t[..^2].TrimEnd(); }
        else if (t.EndsWith('W')) t = t[..^1].TrimEnd();
        if (!Decimals.TryParse(t, scale, out var value, out problem, unitName: "W", smallest: scale == 3 ? "0.001 kW" : "1 W")) return false;
        if (value > long.MaxValue || value < long.MinValue) { problem = "is more power than the ledger holds"; return false; }
        power = new Watts((long)value);
        return true;
    }
}
