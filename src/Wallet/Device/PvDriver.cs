namespace P2PEnergy.Wallet.Device;

/// <summary>
/// A PV array behind an inverter that can curtail: it produces along a clear-sky profile (a half sine between
/// 06:00 and 18:00 local solar time), optionally dimmed by seeded cloud noise, never above its rated power, and exports
/// the smaller of what it produces and what it is told to deliver. It cannot import, so a net-import setpoint yields 0.
/// </summary>
public sealed class PvDriver : IDeviceDriver
{
    private const double SunriseHour = 6, SunsetHour = 18;
    // Sub-steps for integrating the profile: fine enough that a 15-minute interval near sunrise is not all-or-nothing.
    private const double IntegrationStepSeconds = 10;
    private readonly Random _random;

    public PvDriver(double capacityW, double cloudiness, TimeSpan utcOffset, Random random)
    {
        if (capacityW < 0) throw new ArgumentOutOfRangeException(nameof(capacityW), capacityW, "capacity cannot be negative");
        if (cloudiness is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(cloudiness), cloudiness, "cloudiness lies in [0, 1]");
        CapacityW = capacityW;
        Cloudiness = cloudiness;
        UtcOffset = utcOffset;
        _random = random;
    }

    public string Kind => "pv";
    public double CapacityW { get; }
    /// <summary>The most an interval's output is dimmed by clouds: each interval loses a uniform random share in [0, this).</summary>
    public double Cloudiness { get; }
    /// <summary>Local solar time minus UTC, which places noon in the profile.</summary>
    public TimeSpan UtcOffset { get; }

    /// <summary>Clear-sky output as a share of capacity at an instant (unix seconds): 0 at night, 1 at solar noon.</summary>
    public double ClearSkyShare(double unixSeconds)
    {
        double hour = ((unixSeconds + UtcOffset.TotalSeconds) % 86_400 + 86_400) % 86_400 / 3600;
        return hour <= SunriseHour || hour >= SunsetHour ? 0 : Math.Sin(Math.PI * (hour - SunriseHour) / (SunsetHour - SunriseHour));
    }

    /// <summary>What the array could produce over <paramref name="interval"/> under a clear sky, in Wh.</summary>
    public double ClearSkyWh(DeviceInterval interval)
    {
        int steps = Math.Max(1, (int)Math.Ceiling(interval.LengthSeconds / IntegrationStepSeconds));
        double step = (double)interval.LengthSeconds / steps, sum = 0;
        for (int i = 0; i < steps; i++) sum += ClearSkyShare(interval.Start + (i + 0.5) * step);
        return CapacityW * Math.Min(1, sum / steps) * interval.Hours;
    }

    /// <summary>The forecast: the clear-sky output less the most the clouds may take, so it is produced whatever the draw.</summary>
    public IntervalCapability Capability(DeviceInterval interval, int pending)
        => new(interval.Start, 0, 0, (ulong)Math.Floor(ClearSkyWh(interval) * (1 - Cloudiness)));

    public IReadOnlyDictionary<string, string> Facts => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["capacityW"] = CapacityW.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        ["cloudinessPercent"] = (Cloudiness * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture),
        ["daylight"] = $"{SunriseHour:00}:00–{SunsetHour:00}:00 local solar time",
    };

    public DeviceStep Step(long setpointNetExportWh, DeviceInterval interval)
    {
        // Draw every interval, day or night, so the noise sequence depends only on the seed and the interval count.
        double dimming = Cloudiness * _random.NextDouble();
        double available = ClearSkyWh(interval) * (1 - dimming);
        if (available <= 0) return new DeviceStep(0, 0, "night");
        ulong export = (ulong)Math.Floor(Math.Min(available, Math.Max(0, setpointNetExportWh)));
        string status = export < (ulong)Math.Floor(available) ? "curtailed" : export < (ulong)Math.Max(0, setpointNetExportWh) ? "short of sun" : "producing";
        return new DeviceStep(0, export, status);
    }
}
