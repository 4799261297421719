using System.Globalization;

namespace P2PEnergy.Contracts.Energy;

/// <summary>
/// The one reader of decimal numbers people type (kWh, kW, currency): digits, one optional point, an optional
/// leading sign; read exactly into an integer of 10^−scale units, never through floating point.
/// </summary>
internal static class Decimals
{
    public static Int128 Pow10(int exponent)
    {
        Int128 value = 1;
        for (int i = 0; i < exponent; i++) value *= 10;
        return value;
    }

    public static bool TryParse(string text, int scale, out Int128 value, out string problem, string unitName, string smallest)
    {
        value = 0;
        problem = "";
        var t = (text ?? "").Trim();
        bool negative = t.StartsWith('-');
        if (negative || t.StartsWith('+')) t = t[1..];
        int point = t.IndexOf('.');
        string whole = point < 0 ? t : t[..point], fraction = point < 0 ? "" : t[(point + 1)..];
        if ((whole.Length == 0 && fraction.Length == 0) || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (point >= 0 && fraction.Length == 0))
        {
            problem = "is not a number (write it like 12 or 0.25)";
            return false;
        }
        if (fraction.TrimEnd('0').Length > scale)
        {
            problem = scale == 0 ? $"must be a whole number of {unitName}" : $"has more than {scale} decimals (the smallest step is {smallest})";
            return false;
        }
        if (whole.TrimStart('0').Length > 30)
        {
            problem = "is too large";
            return false;
        }
        var digits = (whole.Length == 0 ? "0" : whole) + fraction.PadRight(scale, '0')[..scale];
        value = Int128.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (negative) value = -value;
        return true;
    }
}
