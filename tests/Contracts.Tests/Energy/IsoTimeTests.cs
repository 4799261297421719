using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Contracts.Tests.Energy;

/// <summary>The one time format of messages and screens, and the one parse of times people type.</summary>
public sealed class IsoTimeTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.CreateCustomTimeZone("UTC+1", TimeSpan.FromHours(1), "UTC+1", "UTC+1");

    [Fact]
    public void Format_IsUtcWithSecondsAndZ()
        => Assert.Equal("2026-11-22T17:00:00Z", IsoTime.Format(1_795_366_800));

    [Fact]
    public void Format_AfterYear9999_SaysSoInsteadOfAWrongDate()
    {
        Assert.Equal("9999-12-31T23:59:59Z", IsoTime.Format(IsoTime.LastFormattableSecond));
        Assert.Equal("unix time 253402300800 s (after year 9999)", IsoTime.Format(IsoTime.LastFormattableSecond + 1));
    }

    [Theory]
    [InlineData("2026-11-22T17:00:00Z", 1_795_366_800UL)]
    [InlineData("2026-11-22T18:00:00+01:00", 1_795_366_800UL)]
    [InlineData("2026-11-22T18:00", 1_795_366_800UL)]   // no offset: wall time in the given zone (UTC+1)
    [InlineData(" 2026-11-22T17:00:00Z ", 1_795_366_800UL)]
    public void TryParse_WithOffsetIsExact_WithoutItIsLocalTime(string text, ulong expected)
    {
        Assert.True(IsoTime.TryParse(text, Berlin, out var seconds, out var problem), problem);
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("tomorrow", "is not an ISO 8601 time")]
    [InlineData("1969-12-31T23:59:59Z", "is before 1970")]
    public void TryParse_SaysWhatIsWrong(string text, string problem)
    {
        Assert.False(IsoTime.TryParse(text, TimeZoneInfo.Utc, out _, out var said));
        Assert.StartsWith(problem, said);
    }

    [Fact]
    public void FormatThenParse_RoundTrips()
    {
        foreach (ulong t in new ulong[] { 0, 1, 1_795_366_800, IsoTime.LastFormattableSecond })
        {
            Assert.True(IsoTime.TryParse(IsoTime.Format(t), TimeZoneInfo.Utc, out var back, out _));
            Assert.Equal(t, back);
        }
    }
}
