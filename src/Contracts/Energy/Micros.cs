using System.Globalization;

namespace P2PEnergy.Contracts.Energy;

/// <summary>
/// An amount of the market currency in the ledger's integer unit, 10^−decimals of the currency ("micros": micro-units
/// at genesis <c>currencyDecimals</c> 6). People read and write it in the currency with exactly that many decimals
/// (<c>0.100000</c>), so no amount on a screen is rounded.
/// </summary>
public readonly record struct Micros(ulong Amount) : IComparable<Micros>
{
    public int CompareTo(Micros other) => Amount.CompareTo(other.Amount);

    /// <summary><paramref name="micros"/> in the currency with <paramref name="decimals"/> decimals: 100000 at 6 is <c>0.100000</c>.</summary>
    public static string Format(Int128 micros, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, 18);
        var magnitude = Int128.Abs(micros);
        var sign = micros < 0 ? "-" : "";
        if (decimals == 0) return sign + magnitude.ToString(CultureInfo.InvariantCulture);
        var unit = Decimals.Pow10(decimals);
        return sign + (magnitude / unit).ToString(CultureInfo.InvariantCulture) + "." + (magnitude % unit).ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0');
    }

    /// <summary>
    /// An amount as people write it in the currency (<c>0.10</c>, <c>25</c>; at most <paramref name="decimals"/>
    /// decimals, never negative) to micros. False with what is wrong in <paramref name="problem"/>: "must not be
    /// negative", "has more than 6 decimals …", "is not an amount …", "is more than the ledger holds".
    /// </summary>
    public static bool TryParse(string text, int decimals, out Micros money, out string problem)
    {
        money = default;
        if (!Decimals.TryParse(text, decimals, out var value, out problem, unitName: "unit", smallest: Format(1, decimals))) return false;
        if (value < 0) { problem = "must not be negative"; return false; }
        if (value > ulong.MaxValue) { problem = $"is more than the ledger holds ({Format(ulong.MaxValue, decimals)})"; return false; }
        money = new Micros((ulong)value);
        return true;
    }
}
