using System.Globalization;

namespace P2PEnergy.Contracts.Energy;

/// <summary>
/// Instants as ISO 8601 UTC (<c>2026-11-22T17:00:00Z</c>): the one time format of ledger messages, API refusals and
/// wallet screens, and the one parse of times people type. Culture-invariant (DESIGN.md rule 6).
/// </summary>
public static class IsoTime
{
    /// <summary>9999-12-31T23:59:59Z, the last instant ISO 8601's four-digit year can write.</summary>
    public const ulong LastFormattableSecond = 253_402_300_799UL;

    /// <summary>
    /// Unix seconds as ISO 8601 UTC; a time after year 9999 (say, milliseconds sent as seconds) as its unix seconds,
    /// so a message never shows a wrong date.
    /// </summary>
    public static string Format(ulong unixSeconds)
        => unixSeconds > LastFormattableSecond
            ? $"unix time {unixSeconds.ToString(CultureInfo.InvariantCulture)} s (after year 9999)"
            : DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// An ISO 8601 time as unix seconds: with <c>Z</c> or an offset it is exact; without one it is a wall-clock time
    /// in <paramref name="localZone"/>. Before 1970 or unparseable: false, with what is wrong in <paramref name="problem"/>.
    /// </summary>
    public static bool TryParse(string text, TimeZoneInfo localZone, out ulong unixSeconds, out string problem)
    {
        ArgumentNullException.ThrowIfNull(localZone);
        unixSeconds = 0;
        problem = "";
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind, out var parsed))
        {
            // RoundtripKind leaves a time written without Z or an offset Unspecified: that one is a wall-clock time in localZone.
            // With Z or an offset the exact instant comes from DateTimeOffset (a local DateTime could fold a DST hour).
            var instant = parsed.Kind == DateTimeKind.Unspecified
                ? new DateTimeOffset(parsed, localZone.GetUtcOffset(parsed))
                : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal);
            if (instant.ToUnixTimeSeconds() < 0) { problem = "is before 1970-01-01T00:00:00Z"; return false; }
            unixSeconds = (ulong)instant.ToUnixTimeSeconds();
            return true;
        }
        problem = "is not an ISO 8601 time such as 2026-11-22T14:00:00Z (UTC) or 2026-11-22T15:00 (local time)";
        return false;
    }
}
