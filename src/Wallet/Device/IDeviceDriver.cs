using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// A simulated device behind a meter. <see cref="Step"/> executes one interval's setpoint within the device's physical
/// limits and reports what it really did; drivers take time only from the interval and randomness only from a seeded
/// <see cref="Random"/>, so a run is reproducible.
/// </summary>
public interface IDeviceDriver
{
    /// <summary>The driver's name on the command line (battery, pv, ev, load).</summary>
    string Kind { get; }

    /// <summary>
    /// Runs <paramref name="interval"/> aiming at <paramref name="setpointNetExportWh"/> (positive: export; the
    /// instruction's net export, possibly scaled by a deliberate deviation) and returns the metered outcome.
    /// </summary>
    DeviceStep Step(long setpointNetExportWh, DeviceInterval interval);

    /// <summary>
    /// What the device can surely do in <paramref name="interval"/> when <paramref name="pending"/> intervals run
    /// before it from the current state: each is assumed to move the state (charge, a car's remaining need) as far
    /// against the envelope as the device's power allows, so the envelope holds whatever is traded in between.
    /// </summary>
    IntervalCapability Capability(DeviceInterval interval, int pending);

    /// <summary>The device's current facts for its published capabilities (plug-in window, state of charge, load range…).</summary>
    IReadOnlyDictionary<string, string> Facts { get; }
}

/// <summary>Convenience over <see cref="IDeviceDriver"/> for callers that hold the node's instruction.</summary>
public static class DeviceDriverExtensions
{
    /// <summary>Follows <paramref name="target"/> exactly over <paramref name="interval"/>.</summary>
    public static DeviceStep Step(this IDeviceDriver driver, DispatchInstruction target, DeviceInterval interval)
        => driver.Step(target.NetExportWh, interval);
}
