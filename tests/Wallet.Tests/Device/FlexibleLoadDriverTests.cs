using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>The flexible load follows its instruction inside its band and stops at its edges.</summary>
public class FlexibleLoadDriverTests
{
    private static readonly DeviceInterval Hour = new(1_780_000_000 / 3600 * 3600, 3600);

    [Theory]
    [InlineData(-1_200, 1_200, "following")]
    [InlineData(-500, 500, "following")]
    [InlineData(-1_500, 1_500, "following")]
    [InlineData(-3_000, 1_500, "at maximum")]
    [InlineData(-100, 500, "at minimum")]
    [InlineData(0, 500, "at minimum")]
    [InlineData(2_000, 500, "at minimum")]
    public void FollowsTheBand(long setpoint, ulong expectedImport, string status)
    {
        var step = new FlexibleLoadDriver(1_000, 500).Step(setpoint, Hour);
        Assert.Equal((expectedImport, 0UL, status), (step.ImportWh, step.ExportWh, step.Status));
    }

    [Fact]
    public void BandScalesWithTheIntervalLength()
        => Assert.Equal(375UL, new FlexibleLoadDriver(1_000, 500).Step(-10_000, new DeviceInterval(Hour.Start, 900)).ImportWh);

    [Fact]
    public void FlexibilityBeyondBase_IsRefused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new FlexibleLoadDriver(400, 500));
}
