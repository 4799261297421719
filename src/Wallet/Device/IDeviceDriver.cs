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
}

/// <summary>Convenience over <see cref="IDeviceDriver"/> for callers that hold the node's instruction.</summary>
public static class DeviceDriverExtensions
{
    /// <summary>Follows <paramref name="target"/> exactly over <paramref name="interval"/>.</summary>
    public static DeviceStep Step(this IDeviceDriver driver, DispatchInstruction target, DeviceInterval interval)
        => driver.Step(target.NetExportWh, interval);
}
