using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>PV: nothing at night, never above rated power, curtails to dispatch, clouds from the seed only.</summary>
public class PvDriverTests
{
    private static readonly ulong Midnight = (ulong)new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static DeviceInterval At(double hour, ulong length = 900) => new(Midnight + (ulong)(hour * 3600), length);

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5.75)]
    [InlineData(18)]
    [InlineData(23.75)]
    public void Night_ProducesNothing(double hour)
    {
        var pv = new PvDriver(5_000, 0, TimeSpan.Zero, new Random(1));
        var step = pv.Step(10_000, At(hour));
        Assert.Equal((0UL, 0UL, "night"), (step.ImportWh, step.ExportWh, step.Status));
    }

    [Fact]
    public void SolarNoon_IsCappedAtRatedPower()
    {
        var pv = new PvDriver(4_000, 0, TimeSpan.Zero, new Random(1));
        // An hour around noon: just under 4,000 Wh, never above.
        var step = pv.Step(1_000_000, At(11.5, 3600));
        Assert.InRange(step.ExportWh, 3_950UL, 4_000UL);
        Assert.Equal("short of sun", step.Status);
        Assert.Equal(1.0, pv.ClearSkyShare(Midnight + 12 * 3600), 9);
    }

    [Fact]
    public void Curtails_ToTheSetpoint_AndNeverImports()
    {
        var pv = new PvDriver(4_000, 0, TimeSpan.Zero, new Random(1));
        var step = pv.Step(300, At(12));
        Assert.Equal((0UL, 300UL, "curtailed"), (step.ImportWh, step.ExportWh, step.Status));
        Assert.Equal((0UL, 0UL), (pv.Step(-500, At(12.25)).ImportWh, pv.Step(-500, At(12.5)).ExportWh));
    }

    [Fact]
    public void UtcOffset_MovesNoon()
    {
        var pv = new PvDriver(1_000, 0, TimeSpan.FromHours(10), new Random(1));
        Assert.Equal(1.0, pv.ClearSkyShare(Midnight + 2 * 3600), 9);
        Assert.Equal(0, pv.ClearSkyShare(Midnight + 12 * 3600));
    }

    [Fact]
    public void Clouds_DimOutput_DeterministicallyBySeed()
    {
        static ulong[] Run(int seed)
        {
            var pv = new PvDriver(4_000, 0.8, TimeSpan.Zero, new Random(seed));
            return Enumerable.Range(0, 8).Select(i => pv.Step(100_000, At(10 + i * 0.25)).ExportWh).ToArray();
        }
        var clear = new PvDriver(4_000, 0, TimeSpan.Zero, new Random(1));
        var clearSky = Enumerable.Range(0, 8).Select(i => clear.Step(100_000, At(10 + i * 0.25)).ExportWh).ToArray();
        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
        Assert.All(Run(7).Zip(clearSky), p => Assert.InRange(p.First, (ulong)(p.Second * 0.2) - 1, p.Second));
    }
}
