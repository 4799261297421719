using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>
/// Issue 17: each driver's published envelope (plug-in window in local time, load range, PV forecast, state-of-charge
/// limits) is what it then executes to the Wh — a trade inside it is delivered, so the POLR is not left the rest.
/// </summary>
public class DeviceCapabilityTests
{
    private static readonly ulong Midnight = (ulong)new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static DeviceInterval At(double utcHour, ulong length = 60) => new(Midnight + (ulong)(utcHour * 3600), length);
    private static DeviceInterval Minute(int utcHour, int minute) => new(Midnight + (ulong)(utcHour * 3600 + minute * 60), 60);

    [Fact]
    public void EvWindow_IsInLocalTime_ShiftedByTheUtcOffset()
    {
        // Plugged in 08:00–18:00 local at UTC+2: 06:30 UTC is 08:30 local (plugged), 16:30 UTC is 18:30 local (gone).
        var local = new EvChargerDriver(TimeSpan.FromHours(8), TimeSpan.FromHours(18), 40_000, 7_000, TimeSpan.FromHours(2));
        Assert.Equal(116UL, local.Capability(At(6.5), 0).MaxImportWh); // 7 kW for 60 s = 116.7 Wh
        Assert.Equal(IntervalCapability.Idle(At(16.5).Start), local.Capability(At(16.5), 0));
        // The same window read as UTC (the devnet's old bug) has the car away at 06:30 UTC.
        var utc = new EvChargerDriver(TimeSpan.FromHours(8), TimeSpan.FromHours(18), 40_000, 7_000, TimeSpan.Zero);
        Assert.Equal(0UL, utc.Capability(At(6.5), 0).MaxImportWh);
    }

    [Fact]
    public void EvAtArrival_OffersOnlyThePluggedInPartOfTheInterval()
    {
        var ev = new EvChargerDriver(TimeSpan.FromHours(8), TimeSpan.FromHours(18), 40_000, 7_200, TimeSpan.Zero);
        // The interval 07:59:30–08:00:30 has the car for 30 s: 7.2 kW × 30 s = 60 Wh.
        var straddling = new DeviceInterval(Midnight + 8 * 3600 - 30, 60);
        Assert.Equal(60UL, ev.Capability(straddling, 0).MaxImportWh);
        Assert.Equal(60UL, ev.Step(-1_000, straddling).ImportWh);
    }

    [Fact]
    public void EvNeed_LeftAfterPendingIntervals_CapsTheEnvelope()
    {
        var ev = new EvChargerDriver(TimeSpan.FromHours(8), TimeSpan.FromHours(18), 250, 7_200, TimeSpan.Zero);
        Assert.Equal(120UL, ev.Step(-120, Minute(9, 0)).ImportWh); // 130 Wh still needed
        Assert.Equal(120UL, ev.Capability(Minute(9, 1), 0).MaxImportWh);
        // With one interval pending that may charge 120 Wh first, only 10 Wh are sure to be wanted.
        Assert.Equal(10UL, ev.Capability(Minute(9, 2), 1).MaxImportWh);
        Assert.Equal(0UL, ev.Capability(Minute(9, 3), 2).MaxImportWh);
    }

    [Fact]
    public void LoadRange_IsItsBandInWholeWh_AndEveryWhInItIsDrawnExactly()
    {
        var load = new FlexibleLoadDriver(1_500, 500);
        var c = load.Capability(At(12), 0);
        Assert.Equal((16UL, 33UL, 0UL), (c.MinImportWh, c.MaxImportWh, c.MaxExportWh)); // 1–2 kW for 60 s: 16.7–33.3 Wh
        for (ulong wh = c.MinImportWh; wh <= c.MaxImportWh; wh++) Assert.Equal(wh, load.Step(-(long)wh, At(12)).ImportWh);
        // Beyond the cap (what a 2 kW consumer bot used to buy from a 1.5 kW load) it is not drawn.
        Assert.Equal(c.MaxImportWh, load.Step(-(long)c.MaxImportWh - 10, At(12)).ImportWh);
    }

    [Fact]
    public void PvForecast_IsClearSkyLessTheWorstCloud_AndIsProducedWhateverTheDraw()
    {
        var pv = new PvDriver(8_000, 0.3, TimeSpan.Zero, new Random(7));
        var noon = At(12);
        ulong forecast = pv.Capability(noon, 0).MaxExportWh;
        Assert.Equal((ulong)Math.Floor(pv.ClearSkyWh(noon) * 0.7), forecast);
        Assert.True(forecast > 0);
        for (int i = 0; i < 200; i++) Assert.Equal(forecast, pv.Step((long)forecast, noon).ExportWh);
        Assert.Equal(IntervalCapability.Idle(At(23).Start), pv.Capability(At(23), 0));
    }

    [Fact]
    public void BatteryEnvelope_StopsAtEmptyAndFull()
    {
        // Shares of 1024 Wh that are exact in binary, so the test pins the rule and not a rounding.
        var nearlyEmpty = new BatteryDriver(1_024, 4_000, 4_000, 20 / 1024.0, 1.0);
        var c = nearlyEmpty.Capability(At(12), 0);
        Assert.Equal((20UL, 66UL), (c.MaxExportWh, c.MaxImportWh)); // 20 Wh stored; 4 kW × 60 s = 66.7 Wh
        Assert.Equal(20UL, nearlyEmpty.Step(20, At(12)).ExportWh);
        Assert.Equal(0UL, nearlyEmpty.Capability(At(12), 0).MaxExportWh);

        var nearlyFull = new BatteryDriver(1_024, 4_000, 4_000, 1_014 / 1024.0, 1.0);
        Assert.Equal(10UL, nearlyFull.Capability(At(12), 0).MaxImportWh);
        Assert.Equal(10UL, nearlyFull.Step(-10, At(12)).ImportWh);
        Assert.Equal(0UL, nearlyFull.Capability(At(12), 0).MaxImportWh);
    }

    [Fact]
    public void BatteryEnvelope_AssumesPendingIntervalsMoveTheChargeTheWrongWay()
    {
        var battery = new BatteryDriver(1_000, 4_000, 4_000, 0.5, 1.0); // 500 Wh, 66.7 Wh per interval either way
        Assert.Equal(66UL, battery.Capability(At(12), 0).MaxExportWh);
        // Seven full discharges could run first (466.7 Wh): 33 Wh are sure to be left.
        Assert.Equal(33UL, battery.Capability(At(12), 7).MaxExportWh);
        Assert.Equal(0UL, battery.Capability(At(12), 8).MaxExportWh);
        Assert.Equal(33UL, battery.Capability(At(12), 7).MaxImportWh);
    }

    [Fact]
    public void EnvelopeWithLosses_IsStillExecutedToTheWh()
    {
        var battery = new BatteryDriver(10_000, 5_000, 5_000, 0.5, 0.9);
        for (int k = 0; k < 20; k++)
        {
            var interval = Minute(12, k);
            var c = battery.Capability(interval, 0);
            var step = k % 2 == 0 ? battery.Step((long)c.MaxExportWh, interval) : battery.Step(-(long)c.MaxImportWh, interval);
            Assert.Equal(k % 2 == 0 ? (0UL, c.MaxExportWh) : (c.MaxImportWh, 0UL), (step.ImportWh, step.ExportWh));
        }
    }
}
