using System.Globalization;

namespace P2PEnergy.Contracts.Energy;

/// <summary>
/// A settlement interval: its start (unix seconds, UTC) and length (the chain's genesis <c>intervalSeconds</c>).
/// Intervals are aligned: every start is a whole multiple of the length, counted from the unix epoch.
/// </summary>
public readonly record struct Interval
{
    /// <summary>The interval of <paramref name="length"/> seconds starting at <paramref name="start"/>, which must be aligned.</summary>
    public Interval(ulong start, ulong length)
    {
        if (!IsAligned(start, length)) throw new ArgumentException(length == 0 ? "an interval's length is at least 1 s" : Misaligned(start, length), nameof(start));
        Start = start;
        Length = length;
    }

    public ulong Start { get; }
    public ulong Length { get; }

    /// <summary>The first second after the interval (checked: an interval ending after 2^64 − 1 s does not exist).</summary>
    public ulong End => checked(Start + Length);

    /// <summary>The interval after this one.</summary>
    public Interval Next => new(End, Length);

    /// <summary>Whether <paramref name="start"/> is the start of an interval of <paramref name="length"/> seconds.</summary>
    public static bool IsAligned(ulong start, ulong length) => length != 0 && start % length == 0;

    /// <summary>
    /// The one wording of a misaligned start, for every refusal of one (ledger results, API refusals, wallet checks):
    /// "1700000001 (2023-11-14T22:13:21Z) is not aligned to the 900 s interval". Callers put the field name in front.
    /// </summary>
    public static string Misaligned(ulong start, ulong length)
        => $"{start.ToString(CultureInfo.InvariantCulture)} ({IsoTime.Format(start)}) is not aligned to the {length.ToString(CultureInfo.InvariantCulture)} s interval";

    /// <summary>The interval that contains the instant <paramref name="time"/>.</summary>
    public static Interval Containing(ulong time, ulong length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        return new(time / length * length, length);
    }

    /// <summary>
    /// When the gate of the interval starting at <paramref name="start"/> closes: <paramref name="gateClosureSeconds"/>
    /// before it (at 0 for a start closer to the epoch than that). Contracts for it commit only in blocks before then.
    /// </summary>
    public static ulong GateClosure(ulong start, ulong gateClosureSeconds) => start > gateClosureSeconds ? start - gateClosureSeconds : 0;

    /// <summary>ISO 8601 start/duration, e.g. <c>2026-11-22T14:00:00Z/PT15M</c>.</summary>
    public override string ToString() => $"{IsoTime.Format(Start)}/{Duration(Length)}";

    /// <summary>An ISO 8601 duration of whole seconds: PT15M, PT1H, PT1H30M, PT90S is PT1M30S, P1D.</summary>
    public static string Duration(ulong seconds)
    {
        if (seconds == 0) return "PT0S";
        ulong days = seconds / 86_400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, rest = seconds % 60;
        var text = "P" + (days > 0 ? $"{days}D" : "");
        if (hours + minutes + rest > 0) text += "T" + (hours > 0 ? $"{hours}H" : "") + (minutes > 0 ? $"{minutes}M" : "") + (rest > 0 ? $"{rest}S" : "");
        return text;
    }
}
