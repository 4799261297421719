using P2PEnergy.Wallet.Bots;
using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Bots;

/// <summary>
/// Issue 17: a bot trades within what its device published for the interval — never a fixed power the device cannot
/// take (the devnet's EV bots bought 7 kW while the car was away, its consumer bots 2 kW from 1.5 kW loads).
/// </summary>
public class BotProfileTests
{
    private const ulong Length = 60, Even = 1_800_000_000, Odd = Even + Length;

    [Fact]
    public void Consumer_BuysUpToTheLoadsCap_WithItsFloorAsTheLeastWorthHaving()
        => Assert.Equal((25UL, 16UL), BotProfile.For("consumer").Energy(new IntervalCapability(Even, 16, 25, 0), Length));

    [Fact]
    public void Ev_WithTheCarAway_BuysNothing()
        => Assert.Equal((0UL, 0UL), BotProfile.For("ev").Energy(IntervalCapability.Idle(Even), Length));

    [Fact]
    public void Ev_PluggedIn_BuysWhatTheChargerCanTake()
        => Assert.Equal((116UL, 0UL), BotProfile.For("ev").Energy(new IntervalCapability(Even, 0, 116, 0), Length));

    [Fact]
    public void Pv_SellsItsForecast()
        => Assert.Equal((90UL, 0UL), BotProfile.For("pv").Energy(new IntervalCapability(Odd, 0, 0, 90), Length));

    [Fact]
    public void Battery_BuysWhatItCanAbsorbInEvenIntervals_AndSellsWhatItHoldsInOddOnes()
    {
        var battery = BotProfile.For("battery");
        Assert.Equal((40UL, 0UL), battery.Energy(new IntervalCapability(Even, 0, 40, 7), Length));
        Assert.Equal((7UL, 0UL), battery.Energy(new IntervalCapability(Odd, 0, 40, 7), Length));
    }

    [Fact]
    public void UnknownRole_NamesTheValue()
        => Assert.Contains("'wind'", Assert.Throws<ArgumentException>(() => BotProfile.For("wind")).Message);
}
