using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>The battery at its physical limits: full, empty, power caps and round-trip losses.</summary>
public class BatteryDriverTests
{
    private static readonly DeviceInterval Hour = new(1_780_000_000 / 3600 * 3600, 3600);

    [Fact]
    public void Discharge_FollowsTarget_WithinPowerAndEnergy()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 0.5, 1.0);
        var step = battery.Step(2_000, Hour);
        Assert.Equal((0UL, 2_000UL), (step.ImportWh, step.ExportWh));
        Assert.Equal(3_000, battery.StoredWh, 6);
        Assert.Equal(0.3, step.StateOfCharge!.Value, 6);
    }

    [Fact]
    public void Discharge_IsCappedByMaxDischargePower()
    {
        var battery = new BatteryDriver(10_000, 5_000, 3_000, 1.0, 1.0);
        var step = battery.Step(8_000, Hour);
        Assert.Equal(3_000UL, step.ExportWh);
        Assert.Equal("discharging, power-limited", step.Status);
        // A 15-minute interval gets a quarter of the hourly energy at the same power.
        Assert.Equal(750UL, battery.Step(8_000, new DeviceInterval(Hour.End, 900)).ExportWh);
    }

    [Fact]
    public void Empty_ExportsNothing_AndSaysSo()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 0.0, 1.0);
        var step = battery.Step(1_000, Hour);
        Assert.Equal(0UL, step.ExportWh);
        Assert.Equal("discharging, empty", step.Status);
        Assert.Equal(0, step.StateOfCharge);
    }

    [Fact]
    public void Charge_IsCappedByMaxChargePower()
    {
        var battery = new BatteryDriver(10_000, 2_000, 5_000, 0.0, 1.0);
        var step = battery.Step(-4_000, Hour);
        Assert.Equal((2_000UL, 0UL), (step.ImportWh, step.ExportWh));
        Assert.Equal("charging, power-limited", step.Status);
        Assert.Equal(-2_000, step.NetExportWh);
    }

    [Fact]
    public void Full_StopsCharging_AtCapacity()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 0.9, 1.0);
        var step = battery.Step(-5_000, Hour);
        Assert.Equal(1_000UL, step.ImportWh);
        Assert.Equal("charging, full", step.Status);
        Assert.Equal(1.0, battery.StateOfCharge, 6);
        Assert.Equal(0UL, battery.Step(-5_000, new DeviceInterval(Hour.End, 3600)).ImportWh);
    }

    [Fact]
    public void RoundTrip_ReturnsEfficiencyTimesWhatWasImported()
    {
        var battery = new BatteryDriver(10_000, 10_000, 10_000, 0.0, 0.81);
        Assert.Equal(5_000UL, battery.Step(-5_000, Hour).ImportWh);
        // √0.81 = 0.9 on the way in: 4,500 Wh stored.
        Assert.Equal(4_500, battery.StoredWh, 6);
        var back = battery.Step(10_000, new DeviceInterval(Hour.End, 3600));
        // 0.9 on the way out: 4,050 Wh = 0.81 × 5,000.
        Assert.Equal(4_050UL, back.ExportWh);
        Assert.Equal(0, battery.StoredWh, 6);
    }

    [Fact]
    public void Resume_ContinuesFromTheSavedCharge()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 1.0, 1.0);
        battery.Resume(0.1);
        Assert.Equal(1_000UL, battery.Step(5_000, Hour).ExportWh);
        Assert.Throws<ArgumentOutOfRangeException>(() => battery.Resume(1.2));
    }

    [Fact]
    public void ZeroTarget_IsIdle()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 0.5, 0.9);
        Assert.Equal(new DeviceStep(0, 0, "idle", 0.5), battery.Step(0, Hour));
    }

    [Theory]
    [InlineData(0, 1, 1, 0.5, 0.9)]
    [InlineData(1, 1, 1, 1.5, 0.9)]
    [InlineData(1, 1, 1, 0.5, 0)]
    [InlineData(1, -1, 1, 0.5, 0.9)]
    public void ImpossibleParameters_AreRefused(double capacity, double charge, double discharge, double soc, double efficiency)
        => Assert.ThrowsAny<ArgumentException>(() => new BatteryDriver(capacity, charge, discharge, soc, efficiency));
}
