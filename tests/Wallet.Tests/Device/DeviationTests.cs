using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>--deviation PCT runs the device at (100 + PCT)% of its instruction, rounded toward zero.</summary>
public class DeviationTests
{
    [Theory]
    [InlineData(0, 1_000, 1_000)]
    [InlineData(-20, 1_000, 800)]
    [InlineData(10, 1_000, 1_100)]
    [InlineData(-20, -1_000, -800)]
    [InlineData(10, -1_000, -1_100)]
    [InlineData(-100, 1_000, 0)]
    [InlineData(-33.3, 100, 66)]
    [InlineData(-33.3, -100, -66)]
    [InlineData(50, 0, 0)]
    public void ScalesTheInstruction(double percent, long instructed, long expected)
        => Assert.Equal(expected, new Deviation((decimal)percent).Apply(instructed));

    [Fact]
    public void BelowMinusHundred_WouldReverseTheFlow_AndIsRefused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new Deviation(-101));

    [Fact]
    public void UnderDeliveringBattery_ReportsTheScaledFlow()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 1.0, 1.0);
        var step = battery.Step(new Deviation(-20).Apply(2_000), new DeviceInterval(3600, 3600));
        Assert.Equal(1_600UL, step.ExportWh);
    }
}
