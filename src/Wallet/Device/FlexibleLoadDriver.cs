namespace P2PEnergy.Wallet.Device;

/// <summary>
/// A flexible consumer (heat pump, water heater): it always draws between its base power minus and plus its
/// flexibility, and within that band draws what the instruction asks it to import. It cannot export, so an export
/// setpoint leaves it at the bottom of its band.
/// </summary>
public sealed class FlexibleLoadDriver : IDeviceDriver
{
    public FlexibleLoadDriver(double baseW, double flexW)
    {
        if (flexW < 0) throw new ArgumentOutOfRangeException(nameof(flexW), flexW, "flexibility cannot be negative");
        if (baseW < flexW) throw new ArgumentOutOfRangeException(nameof(baseW), baseW, $"base power must be at least the flexibility {flexW} W");
        BaseW = baseW;
        FlexW = flexW;
    }

    public string Kind => "load";
    public double BaseW { get; }
    public double FlexW { get; }

    /// <summary>
    /// The load's band in whole Wh: asked for less than its floor it draws the floor rounded down, so every whole
    /// Wh from that up to its ceiling rounded down is drawn exactly.
    /// </summary>
    public IntervalCapability Capability(DeviceInterval interval, int pending)
        => new(interval.Start, (ulong)Math.Floor((BaseW - FlexW) * interval.Hours), (ulong)Math.Floor((BaseW + FlexW) * interval.Hours), 0);

    public IReadOnlyDictionary<string, string> Facts => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["loadRangeW"] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{BaseW - FlexW:0}–{BaseW + FlexW:0}"),
    };

    public DeviceStep Step(long setpointNetExportWh, DeviceInterval interval)
    {
        double min = (BaseW - FlexW) * interval.Hours, max = (BaseW + FlexW) * interval.Hours;
        double wanted = -(double)setpointNetExportWh;
        ulong import = (ulong)Math.Floor(Math.Clamp(wanted, min, max));
        string status = wanted < min ? "at minimum" : wanted > max ? "at maximum" : "following";
        return new DeviceStep(import, 0, status);
    }
}
