namespace P2PEnergy.Wallet.Device;

/// <summary>
/// A smart (one-way) EV charger: a car plugs in every day at the arrival time and leaves at the departure time
/// (local, wrapping past midnight), wanting a fixed amount of energy per stay. It imports when told to, at most its
/// charge power for the plugged-in part of the interval and never beyond what the car still needs; it cannot export.
/// </summary>
public sealed class EvChargerDriver : IDeviceDriver
{
    private long? _session;

    public EvChargerDriver(TimeSpan arrival, TimeSpan departure, double energyNeedWh, double maxChargeW, TimeSpan utcOffset)
    {
        if (arrival < TimeSpan.Zero || arrival >= TimeSpan.FromDays(1)) throw new ArgumentOutOfRangeException(nameof(arrival), arrival, "arrival is a time of day");
        if (departure < TimeSpan.Zero || departure >= TimeSpan.FromDays(1)) throw new ArgumentOutOfRangeException(nameof(departure), departure, "departure is a time of day");
        if (arrival == departure) throw new ArgumentException($"arrival and departure are both {arrival}: the car would never be plugged in", nameof(departure));
        if (energyNeedWh < 0) throw new ArgumentOutOfRangeException(nameof(energyNeedWh), energyNeedWh, "energy need cannot be negative");
        if (maxChargeW < 0) throw new ArgumentOutOfRangeException(nameof(maxChargeW), maxChargeW, "charge power cannot be negative");
        Arrival = arrival;
        Departure = departure;
        EnergyNeedWh = energyNeedWh;
        MaxChargeW = maxChargeW;
        UtcOffset = utcOffset;
    }

    public string Kind => "ev";
    public TimeSpan Arrival { get; }
    public TimeSpan Departure { get; }
    public double EnergyNeedWh { get; }
    public double MaxChargeW { get; }
    public TimeSpan UtcOffset { get; }
    /// <summary>What the car plugged in now still needs (the full need before the first stay is seen).</summary>
    public double RemainingWh { get; private set; }

    /// <summary>
    /// Charging only while plugged in (arrival to departure in local time), at most the charge power for the plugged-in
    /// seconds and what the car still needs — taken after <paramref name="pending"/> intervals of charging at full power.
    /// </summary>
    public IntervalCapability Capability(DeviceInterval interval, int pending)
    {
        var (sessionStart, pluggedSeconds) = Plugged(interval);
        if (pluggedSeconds <= 0) return IntervalCapability.Idle(interval.Start);
        double remaining = (_session == sessionStart ? RemainingWh : EnergyNeedWh) - pending * MaxChargeW * interval.Hours;
        if (remaining < 1) return IntervalCapability.Idle(interval.Start);
        return new IntervalCapability(interval.Start, 0, (ulong)Math.Floor(Math.Min(MaxChargeW * pluggedSeconds / 3600, remaining)), 0);
    }

    public IReadOnlyDictionary<string, string> Facts => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["pluggedIn"] = $"{Arrival:hh\\:mm}–{Departure:hh\\:mm} local",
        ["maxChargeW"] = MaxChargeW.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        ["needWh"] = EnergyNeedWh.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        ["remainingWh"] = (_session is null ? EnergyNeedWh : RemainingWh).ToString("0", System.Globalization.CultureInfo.InvariantCulture),
    };

    public DeviceStep Step(long setpointNetExportWh, DeviceInterval interval)
    {
        var (sessionStart, pluggedSeconds) = Plugged(interval);
        if (pluggedSeconds <= 0) return new DeviceStep(0, 0, "unplugged");
        if (_session != sessionStart)
        {
            // A new stay: a different car visit with its own need.
            _session = sessionStart;
            RemainingWh = EnergyNeedWh;
        }
        if (RemainingWh < 1) return new DeviceStep(0, 0, "charged");
        if (setpointNetExportWh >= 0) return new DeviceStep(0, 0, "waiting");
        double possible = Math.Min(MaxChargeW * pluggedSeconds / 3600, RemainingWh);
        ulong import = (ulong)Math.Floor(Math.Min(-(double)setpointNetExportWh, possible));
        RemainingWh -= import;
        return new DeviceStep(import, 0, RemainingWh < 1 ? "charged" : "charging");
    }

    // The stay overlapping the interval (identified by its start, unix seconds) and the plugged-in seconds within it.
    private (long SessionStart, double Seconds) Plugged(DeviceInterval interval)
    {
        long offset = (long)UtcOffset.TotalSeconds;
        long localMidnight = ((long)interval.Start + offset) / 86_400 * 86_400 - offset;
        long stay = (long)(Departure > Arrival ? Departure - Arrival : Departure + TimeSpan.FromDays(1) - Arrival).TotalSeconds;
        // A stay that wraps midnight may have begun the day before; look back one day as well.
        foreach (long day in new[] { localMidnight - 86_400, localMidnight })
        {
            long start = day + (long)Arrival.TotalSeconds;
            double seconds = interval.OverlapSeconds(start, start + stay);
            if (seconds > 0) return (start, seconds);
        }
        return (0, 0);
    }
}
