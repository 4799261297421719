using P2PEnergy.Wallet.Bots;

namespace P2PEnergy.Wallet.Tests.Bots;

/// <summary>
/// Issue 17: a buyer's window to trade an interval is half an interval wide (10 s intervals, 10 s gate closure: from
/// 9 s to 4 s before the gate), so a bot ticking every second hits it on a busy machine; a seller trades at once.
/// </summary>
public class TradingWindowTests
{
    private const ulong Length = 10, Gate = 10, T = 1_800_000_000; // T is aligned: interval T's gate closes at T − 10

    private static bool Buys(ulong start) => false;
    private static bool Sells(ulong start) => true;

    [Fact]
    public void Seller_TradesTheNextTradableIntervalAtOnce()
        => Assert.Equal((T + 10, true), TradingWindow.At(T - 6, Length, Gate, Sells)); // T's gate has closed, T + 10's is 4 s away

    [Theory]
    [InlineData(20UL)] // the gate of T is 10 s away
    [InlineData(23UL)] // 13 s away
    public void Buyer_BeforeItsWindow_Waits(ulong before)
        => Assert.Equal((T, false), TradingWindow.At(T - before, Length, Gate, Buys));

    [Theory]
    [InlineData(19UL)]
    [InlineData(18UL)]
    [InlineData(16UL)]
    [InlineData(14UL)]
    public void Buyer_InsideItsWindow_TradesInterval(ulong before)
    {
        var (start, open) = TradingWindow.At(T - before, Length, Gate, Buys);
        Assert.Equal((T, true), (start, open));
    }

    /// <summary>A battery buying to arbitrage opens one tick after the loads (8 s before the gate, not 9), so a load's
    /// floor, which it draws bought or not, has the first claim on the interval's offers; it closes with them.</summary>
    [Theory]
    [InlineData(19UL, false)]
    [InlineData(18UL, true)]
    [InlineData(14UL, true)]
    public void YieldingBuyer_OpensOneTickAfterTheLoads_AndClosesWithThem(ulong before, bool open)
    {
        Assert.Equal((T, open), TradingWindow.At(T - before, Length, Gate, Buys, yields: true));
        Assert.Equal((T, true), TradingWindow.At(T - before, Length, Gate, Buys));
    }

    [Fact]
    public void OnlyTheBattery_YieldsToLoads()
        => Assert.Equal(["battery"], BotProfile.Roles.Where(role => BotProfile.For(role).YieldsToLoads));

    [Fact]
    public void Buyer_TooCloseToTheGate_MovesOnToTheNextInterval()
        => Assert.Equal((T + 10, false), TradingWindow.At(T - 13, Length, Gate, Buys));

    [Fact]
    public void Tick_IsATenthOfAnInterval_AtLeastASecond()
        => Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(90)), (TradingWindow.Tick(10), TradingWindow.Tick(60), TradingWindow.Tick(900)));
}
