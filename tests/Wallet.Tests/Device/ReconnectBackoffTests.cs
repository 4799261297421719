using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>Reconnect delays double from the first and stop at the cap.</summary>
public class ReconnectBackoffTests
{
    [Fact]
    public void Default_DoublesFromOneSecond_CappedAtThirty()
    {
        var delays = Enumerable.Range(0, 8).Select(a => ReconnectBackoff.Default.Delay(a).TotalSeconds);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void HugeAttemptCounts_StayAtTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Delay(1));
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Delay(63));
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Delay(int.MaxValue));
    }

    [Fact]
    public void Next_IsTheDelay_ShortenedToTheGiveUpTime_ThenNothing()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(100));
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.Next(2, TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.Next(9, TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Next(9, TimeSpan.FromSeconds(95)));
        Assert.Null(backoff.Next(9, TimeSpan.FromSeconds(100)));
        Assert.Null(backoff.Next(0, TimeSpan.FromSeconds(101)));
        Assert.Equal(TimeSpan.FromMinutes(15), ReconnectBackoff.Default.GiveUpAfter);
    }

    [Fact]
    public void InvalidSchedules_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReconnectBackoff.Default.Delay(-1));
    }
}
