using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Contracts.Tests.Energy;

/// <summary>Intervals: aligned to their length from the epoch, gate closure before them, ISO 8601 start/duration.</summary>
public sealed class IntervalTests
{
    [Theory]
    [InlineData(1_795_305_600UL, 900UL, true)]   // 2026-11-22T00:00:00Z
    [InlineData(1_795_305_660UL, 900UL, false)]
    [InlineData(0UL, 60UL, true)]
    [InlineData(60UL, 0UL, false)]               // no interval has length 0
    public void IsAligned_MeansAWholeMultipleOfTheLength(ulong start, ulong length, bool aligned)
        => Assert.Equal(aligned, Interval.IsAligned(start, length));

    [Fact]
    public void Misaligned_NamesTheValueItsTimeAndTheLength()
        => Assert.Equal("1795305660 (2026-11-22T00:01:00Z) is not aligned to the 900 s interval", Interval.Misaligned(1_795_305_660, 900));

    [Fact]
    public void Constructor_RefusesAMisalignedStart_WithTheSameWording()
    {
        var e = Assert.Throws<ArgumentException>(() => new Interval(1_795_305_660, 900));
        Assert.StartsWith(Interval.Misaligned(1_795_305_660, 900), e.Message);
    }

    [Fact]
    public void ToString_IsIso8601StartAndDuration()
    {
        Assert.Equal("2026-11-22T00:00:00Z/PT15M", new Interval(1_795_305_600, 900).ToString());
        Assert.Equal("2026-11-22T00:00:00Z/PT1M", new Interval(1_795_305_600, 60).ToString());
        Assert.Equal("P1D", Interval.Duration(86_400));
        Assert.Equal("PT1H30M", Interval.Duration(5_400));
        Assert.Equal("PT1M30S", Interval.Duration(90));
    }

    [Fact]
    public void Containing_Next_AndEnd()
    {
        var interval = Interval.Containing(1_795_305_899, 900);
        Assert.Equal(1_795_305_600UL, interval.Start);
        Assert.Equal(1_795_306_500UL, interval.End);
        Assert.Equal(interval.End, interval.Next.Start);
    }

    [Fact]
    public void End_PastTheLastUnixSecond_Overflows_InsteadOfWrapping()
        => Assert.Throws<OverflowException>(() => new Interval(ulong.MaxValue / 60 * 60, 60).Next.End);

    [Fact]
    public void GateClosure_IsTheLeadBeforeTheStart_AndZeroNearTheEpoch()
    {
        Assert.Equal(1_795_305_300UL, Interval.GateClosure(1_795_305_600, 300));
        Assert.Equal(0UL, Interval.GateClosure(200, 300));
    }
}
