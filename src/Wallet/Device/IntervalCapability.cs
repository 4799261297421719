namespace P2PEnergy.Wallet.Device;

/// <summary>
/// What a device can surely do in one interval, in whole Wh as its meter counts them: any import in
/// [<see cref="MinImportWh"/>, <see cref="MaxImportWh"/>] or any export up to <see cref="MaxExportWh"/> is executed
/// to the Wh. A trading bot that contracts inside this envelope has its contracts delivered; outside it, the POLR
/// settles the difference.
/// </summary>
public readonly record struct IntervalCapability(ulong Start, ulong MinImportWh, ulong MaxImportWh, ulong MaxExportWh)
{
    /// <summary>A device that can do nothing in the interval (a car away, a PV array at night).</summary>
    public static IntervalCapability Idle(ulong start) => new(start, 0, 0, 0);
}
