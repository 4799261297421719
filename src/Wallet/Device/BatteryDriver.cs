namespace P2PEnergy.Wallet.Device;

/// <summary>
/// A home battery: charges from the grid when told to import, discharges when told to export, limited by its charge
/// and discharge power, its stored energy and its free capacity. The round-trip efficiency is split evenly between
/// charging and discharging (√η each way), so a full cycle returns η of what was imported.
/// </summary>
public sealed class BatteryDriver : IDeviceDriver
{
    private readonly double _oneWayEfficiency;

    public BatteryDriver(double capacityWh, double maxChargeW, double maxDischargeW, double initialStateOfCharge, double roundTripEfficiency)
    {
        if (capacityWh <= 0) throw new ArgumentOutOfRangeException(nameof(capacityWh), capacityWh, "capacity must be positive");
        if (maxChargeW < 0) throw new ArgumentOutOfRangeException(nameof(maxChargeW), maxChargeW, "charge power cannot be negative");
        if (maxDischargeW < 0) throw new ArgumentOutOfRangeException(nameof(maxDischargeW), maxDischargeW, "discharge power cannot be negative");
        if (initialStateOfCharge is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(initialStateOfCharge), initialStateOfCharge, "state of charge lies in [0, 1]");
        if (roundTripEfficiency is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(roundTripEfficiency), roundTripEfficiency, "round-trip efficiency lies in (0, 1]");
        CapacityWh = capacityWh;
        MaxChargeW = maxChargeW;
        MaxDischargeW = maxDischargeW;
        StoredWh = capacityWh * initialStateOfCharge;
        _oneWayEfficiency = Math.Sqrt(roundTripEfficiency);
    }

    public string Kind => "battery";
    public double CapacityWh { get; }
    public double MaxChargeW { get; }
    public double MaxDischargeW { get; }
    /// <summary>Energy held in the cells (after charging losses, before discharging losses).</summary>
    public double StoredWh { get; private set; }
    public double StateOfCharge => StoredWh / CapacityWh;

    /// <summary>Continues from a saved state of charge (a restarted agent), instead of the configured initial one.</summary>
    public void Resume(double stateOfCharge)
    {
        if (stateOfCharge is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(stateOfCharge), stateOfCharge, "state of charge lies in [0, 1]");
        StoredWh = CapacityWh * stateOfCharge;
    }

    /// <summary>
    /// Charge and discharge within power and stored energy, taking the stored energy after <paramref name="pending"/>
    /// intervals at its lowest (all discharging at full power) for export and at its highest for import.
    /// </summary>
    public IntervalCapability Capability(DeviceInterval interval, int pending)
    {
        double lowest = Math.Max(0, StoredWh - pending * MaxDischargeW * interval.Hours / _oneWayEfficiency);
        double highest = Math.Min(CapacityWh, StoredWh + pending * MaxChargeW * interval.Hours * _oneWayEfficiency);
        double import = Math.Min(MaxChargeW * interval.Hours, (CapacityWh - highest) / _oneWayEfficiency);
        double export = Math.Min(MaxDischargeW * interval.Hours, lowest * _oneWayEfficiency);
        return new IntervalCapability(interval.Start, 0, (ulong)Math.Floor(import), (ulong)Math.Floor(export));
    }

    public IReadOnlyDictionary<string, string> Facts => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["capacityWh"] = CapacityWh.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        ["stateOfChargePercent"] = (StateOfCharge * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        ["maxChargeW"] = MaxChargeW.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        ["maxDischargeW"] = MaxDischargeW.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
    };

    public DeviceStep Step(long setpointNetExportWh, DeviceInterval interval)
    {
        if (setpointNetExportWh > 0)
        {
            double deliverable = Math.Min(MaxDischargeW * interval.Hours, StoredWh * _oneWayEfficiency);
            ulong export = (ulong)Math.Floor(Math.Min(setpointNetExportWh, deliverable));
            StoredWh = Math.Max(0, StoredWh - export / _oneWayEfficiency);
            return new DeviceStep(0, export, export < (ulong)setpointNetExportWh ? Limit("discharging", deliverable, MaxDischargeW * interval.Hours, "empty") : "discharging", StateOfCharge);
        }
        if (setpointNetExportWh < 0)
        {
            double absorbable = Math.Min(MaxChargeW * interval.Hours, (CapacityWh - StoredWh) / _oneWayEfficiency);
            ulong import = (ulong)Math.Floor(Math.Min(-(double)setpointNetExportWh, absorbable));
            StoredWh = Math.Min(CapacityWh, StoredWh + import * _oneWayEfficiency);
            return new DeviceStep(import, 0, import < (ulong)(-setpointNetExportWh) ? Limit("charging", absorbable, MaxChargeW * interval.Hours, "full") : "charging", StateOfCharge);
        }
        return new DeviceStep(0, 0, "idle", StateOfCharge);
    }

    // Names the limit that bound the step, so an operator reading the status line sees why the target was missed.
    private static string Limit(string action, double available, double powerLimitWh, string energyLimit)
        => available < powerLimitWh ? $"{action}, {energyLimit}" : $"{action}, power-limited";
}
