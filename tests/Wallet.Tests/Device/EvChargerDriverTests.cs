using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>The EV charger charges only while the car is plugged in, at most its power and never past the car's need.</summary>
public class EvChargerDriverTests
{
    private static readonly ulong Midnight = (ulong)new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static DeviceInterval At(double hour, ulong length = 3600) => new(Midnight + (ulong)(hour * 3600), length);
    private static EvChargerDriver Charger(double needWh = 20_000, double maxW = 7_000)
        => new(TimeSpan.FromHours(18), TimeSpan.FromHours(7), needWh, maxW, TimeSpan.Zero);

    [Fact]
    public void BeforeArrival_AndAfterDeparture_IsUnplugged()
    {
        var ev = Charger();
        Assert.Equal("unplugged", ev.Step(-5_000, At(12)).Status);
        Assert.Equal(0UL, ev.Step(-5_000, At(7)).ImportWh);
        Assert.Equal(0UL, ev.Step(-5_000, At(17)).ImportWh);
    }

    [Fact]
    public void ChargesAtMostItsPower_AndOnlyWhenTold()
    {
        var ev = Charger();
        Assert.Equal(7_000UL, ev.Step(-9_000, At(18)).ImportWh);
        Assert.Equal(3_000UL, ev.Step(-3_000, At(19)).ImportWh);
        Assert.Equal((0UL, 0UL, "waiting"), (ev.Step(2_000, At(20)).ImportWh, ev.Step(0, At(21)).ExportWh, ev.Step(0, At(22)).Status));
    }

    [Fact]
    public void StopsAtTheCarsNeed()
    {
        var ev = Charger(needWh: 10_000);
        Assert.Equal(7_000UL, ev.Step(-7_000, At(18)).ImportWh);
        var last = ev.Step(-7_000, At(19));
        Assert.Equal((3_000UL, "charged"), (last.ImportWh, last.Status));
        Assert.Equal((0UL, "charged"), (ev.Step(-7_000, At(20)).ImportWh, ev.Step(-7_000, At(21)).Status));
    }

    [Fact]
    public void StopsAtDeparture_PartOfAnInterval_AcrossMidnight()
    {
        var ev = Charger();
        // 06:30-07:30: plugged for the first half hour of a stay that began yesterday at 18:00.
        Assert.Equal(3_500UL, ev.Step(-7_000, At(6.5)).ImportWh);
    }

    [Fact]
    public void ANewStay_BringsANewNeed()
    {
        var ev = Charger(needWh: 5_000);
        Assert.Equal(5_000UL, ev.Step(-7_000, At(18)).ImportWh);
        Assert.Equal(0UL, ev.Step(-7_000, At(19)).ImportWh);
        Assert.Equal(5_000UL, ev.Step(-7_000, At(18 + 24)).ImportWh);
    }
}
