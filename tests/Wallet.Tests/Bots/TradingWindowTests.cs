using P2PEnergy.Wallet.Bots;

namespace P2PEnergy.Wallet.Tests.Bots;

/// <summary>
/// Issue 17: a buyer's window to trade an interval is half an interval wide (10 s intervals, 10 s gate closure: from
/// 9 s to 4 s before the gate), so a bot ticking every second hits it on a busy machine; a seller trades at once. Its
/// first tick is for the loads' floors only, which the POLR supplies when left unbought.
/// </summary>
public class TradingWindowTests
{
    private const ulong Length = 10, Gate = 10, T = 1_800_000_000; // T is aligned: interval T's gate closes at T − 10

    private static bool Buys(ulong start) => false;
    private static bool Sells(ulong start) => true;

    [Fact]
    public void Seller_TradesTheNextTradableIntervalAtOnce()
        => Assert.Equal(new TradingWindow.Window(T + 10, true, false), TradingWindow.At(T - 6, Length, Gate, Sells)); // T's gate has closed, T + 10's is 4 s away

    [Theory]
    [InlineData(20UL)] // the gate of T is 10 s away
    [InlineData(23UL)] // 13 s away
    public void Buyer_BeforeItsWindow_Waits(ulong before)
        => Assert.Equal(new TradingWindow.Window(T, false, false), TradingWindow.At(T - before, Length, Gate, Buys));

    [Theory]
    [InlineData(19UL)]
    [InlineData(18UL)]
    [InlineData(16UL)]
    [InlineData(14UL)]
    public void Buyer_InsideItsWindow_TradesInterval(ulong before)
    {
        var window = TradingWindow.At(T - before, Length, Gate, Buys);
        Assert.Equal((T, true), (window.Start, window.Open));
    }

    /// <summary>
    /// Regression (issue 17, POLR at 6.0 % of contracted under load): every buyer bought all it could from the first
    /// tick, so one load's top-up (or an EV's charge) took the offers another load's floor needed. Now the window's
    /// first tick (9 s before the gate) is for floors only; the rest is bought from 8 s on.
    /// </summary>
    [Theory]
    [InlineData(19UL, true)]
    [InlineData(18UL, false)]
    [InlineData(14UL, false)]
    public void BuyersFirstTick_IsForFloorsOnly(ulong before, bool floorsOnly)
        => Assert.Equal(new TradingWindow.Window(T, true, floorsOnly), TradingWindow.At(T - before, Length, Gate, Buys));

    [Fact]
    public void LongIntervals_KeepAFloorsTickOfATenth()
    {
        // 900 s intervals, 300 s gate closure: the window opens 454 s before the gate; floors alone until 364 s before.
        const ulong Start = 1_800_000_000;
        Assert.True(TradingWindow.At(Start - 300 - 454, 900, 300, Buys).FloorsOnly);
        Assert.True(TradingWindow.At(Start - 300 - 365, 900, 300, Buys).FloorsOnly);
        Assert.False(TradingWindow.At(Start - 300 - 364, 900, 300, Buys).FloorsOnly);
        Assert.False(TradingWindow.At(Start - 300 - 455, 900, 300, Buys).Open);
    }

    [Theory]
    // wh, floor, bought, floors only → to buy now
    [InlineData(1500UL, 500UL, 0UL, true, 500UL)]    // the floor first
    [InlineData(1500UL, 500UL, 500UL, false, 1000UL)] // then the rest, up to what the device takes
    [InlineData(1500UL, 500UL, 200UL, true, 300UL)]   // a floor half bought: what it lacks
    [InlineData(1500UL, 500UL, 200UL, false, 1300UL)]
    [InlineData(1500UL, 0UL, 0UL, true, 0UL)]         // no floor (EV, battery): nothing in the floors' tick
    [InlineData(1500UL, 0UL, 0UL, false, 1500UL)]     // a late buyer: all at once
    [InlineData(1500UL, 500UL, 1600UL, false, 0UL)]   // never more than the device takes
    [InlineData(400UL, 500UL, 0UL, true, 400UL)]      // a floor above the device's most is capped by it
    public void Buyer_BuysItsFloorFirst_ThenTheRest_NeverMoreThanItsDeviceTakes(ulong wh, ulong floor, ulong bought, bool floorsOnly, ulong expected)
        => Assert.Equal(expected, BotProfile.ToBuy(wh, floor, bought, floorsOnly));

    [Fact]
    public void OnlyAConsumersLoad_HasAFloor()
    {
        var device = new P2PEnergy.Wallet.Device.IntervalCapability(T, 300, 1500, 0);
        Assert.Equal((1500UL, 300UL), BotProfile.For("consumer").Energy(device, Length));
        Assert.Equal((0UL, 0UL), BotProfile.For("pv").Energy(device, Length));
    }

    [Fact]
    public void Buyer_TooCloseToTheGate_MovesOnToTheNextInterval()
        => Assert.Equal(new TradingWindow.Window(T + 10, false, false), TradingWindow.At(T - 13, Length, Gate, Buys));

    [Fact]
    public void Tick_IsATenthOfAnInterval_AtLeastASecond()
        => Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(90)), (TradingWindow.Tick(10), TradingWindow.Tick(60), TradingWindow.Tick(900)));
}
