using System.Globalization;

namespace P2PEnergy.Contracts.Rpc;

/// <summary>
/// The <c>grpc-timeout</c> header (PROTOCOL-HTTP2.md "Timeout"): a positive integer of at most 8 ASCII
/// digits followed by one unit letter, H M S m u n.
/// </summary>
public static class GrpcTimeout
{
    /// <summary>The largest TimeoutValue the spec allows: "at most 8 digits".</summary>
    public const long MaxValue = 99_999_999;

    private const long NanosecondsPerTick = 100;

    // Nanoseconds are finer than a tick, so they are handled apart from this table.
    private static readonly (char Unit, long Ticks)[] UnitsFinestFirst =
    [
        ('u', TimeSpan.TicksPerMicrosecond),
        ('m', TimeSpan.TicksPerMillisecond),
        ('S', TimeSpan.TicksPerSecond),
        ('M', TimeSpan.TicksPerMinute),
        ('H', TimeSpan.TicksPerHour),
    ];

    /// <summary>
    /// Parses a header value; false for anything that is not 1–8 digits plus a unit.
    /// A zero value parses (an already-expired deadline), which is how grpc-js sends a past deadline.
    /// </summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var d in digits)
        {
            if (d < '0' || d > '9')
            {
                return false;
            }
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var unit = value[^1];
        if (unit == 'n')
        {
            timeout = TimeSpan.FromTicks((amount + NanosecondsPerTick - 1) / NanosecondsPerTick);
            return true;
        }

        foreach (var (candidate, ticksPerUnit) in UnitsFinestFirst)
        {
            if (candidate == unit)
            {
                // 99,999,999 hours is 3.6e18 ticks: within long, so no overflow check is needed.
                timeout = TimeSpan.FromTicks(amount * ticksPerUnit);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Formats a timeout in the finest unit whose value fits in 8 digits, rounding up so the server never
    /// sees a shorter deadline than the client holds. Negative timeouts format as "0n".
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "0n";
        }

        if (timeout.Ticks <= MaxValue / NanosecondsPerTick)
        {
            return (timeout.Ticks * NanosecondsPerTick).ToString(CultureInfo.InvariantCulture) + "n";
        }

        foreach (var (unit, ticksPerUnit) in UnitsFinestFirst)
        {
            // Ceiling division without (ticks + unit - 1), which overflows near TimeSpan.MaxValue.
            var amount = (timeout.Ticks / ticksPerUnit) + (timeout.Ticks % ticksPerUnit == 0 ? 0 : 1);
            if (amount <= MaxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        // Longer than 99,999,999 hours (~11,400 years): the spec's ceiling is as good as infinite.
        return MaxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }
}
