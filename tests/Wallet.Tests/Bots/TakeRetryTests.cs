using P2PEnergy.Wallet.Bots;

namespace P2PEnergy.Wallet.Tests.Bots;

/// <summary>
/// Issue 17: a buyer refused OFFER_EXCEEDED (another buyer took part of the offer first) takes what is left instead of
/// giving up; after a grid or meter limit it retries with what the meter's hosting capacity admits (half when
/// unknown); any other refusal moves on to the next offer.
/// </summary>
public class TakeRetryTests
{
    [Fact]
    public void OfferExceeded_TakesWhatIsLeft()
    {
        Assert.Equal(7UL, TakeRetry.Next("OFFER_EXCEEDED", tried: 19, need: 19, left: 7));
        Assert.True(TakeRetry.NeedsOffer("OFFER_EXCEEDED"));
    }

    [Fact]
    public void OfferExceeded_TakesNoMoreThanStillNeeded()
        => Assert.Equal(5UL, TakeRetry.Next("OFFER_EXCEEDED", tried: 19, need: 5, left: 12));

    [Fact]
    public void OfferExceeded_WithNothingLeft_MovesOn()
        => Assert.Equal(0UL, TakeRetry.Next("OFFER_EXCEEDED", tried: 19, need: 19, left: 0));

    [Fact]
    public void OfferExceeded_WithAStaleRemaining_NeverRetriesTheSameAmount()
        => Assert.Equal(18UL, TakeRetry.Next("OFFER_EXCEEDED", tried: 19, need: 19, left: 19));

    [Theory]
    [InlineData("THERMAL_LIMIT")]
    [InlineData("VOLTAGE_LIMIT")]
    [InlineData("METER_LIMIT")]
    public void GridOrMeterLimit_WithHostingCapacityUnknown_RetriesAtHalf(string code)
    {
        Assert.Equal(9UL, TakeRetry.Next(code, tried: 19, need: 19, left: 19, headroomWh: null));
        Assert.False(TakeRetry.NeedsOffer(code));
    }

    [Theory]
    [InlineData("THERMAL_LIMIT", 12UL, 12UL)]
    [InlineData("VOLTAGE_LIMIT", 0UL, 0UL)]
    [InlineData("METER_LIMIT", 50UL, 18UL)]
    public void GridOrMeterLimit_WithHostingCapacityKnown_TakesWhatItAdmits(string code, ulong headroom, ulong next)
    {
        Assert.Equal(next, TakeRetry.Next(code, tried: 19, need: 19, left: 19, headroomWh: headroom));
        Assert.True(TakeRetry.NeedsHostingCapacity(code));
    }

    [Theory]
    [InlineData("INSUFFICIENT_FUNDS")]
    [InlineData("GATE_CLOSED")]
    [InlineData("OFFER_CLOSED")]
    public void OtherRefusals_MoveOn(string code) => Assert.Equal(0UL, TakeRetry.Next(code, tried: 19, need: 19, left: 19));
}
