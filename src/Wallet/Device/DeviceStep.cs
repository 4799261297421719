namespace P2PEnergy.Wallet.Device;

/// <summary>
/// What a device really did in one interval, as its meter would count it: whole Wh imported and exported
/// (rounded down, so a report never claims more than the physics allowed), a short status, and the state of charge
/// for devices that store energy.
/// </summary>
public sealed record DeviceStep(ulong ImportWh, ulong ExportWh, string Status, double? StateOfCharge = null)
{
    /// <summary>Export minus import, the quantity dispatch instructions and imbalances are stated in.</summary>
    public long NetExportWh => (long)ExportWh - (long)ImportWh;
}
