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
