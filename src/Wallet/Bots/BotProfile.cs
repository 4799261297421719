using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// How a trading bot trades one interval, by role, inside what its device published it can do
/// (<see cref="IntervalCapability"/>): a PV prosumer sells its forecast, a consumer and an EV owner buy up to what
/// their device can draw — the floor first (<see cref="ToBuy"/>) — a battery buys in even intervals and sells in odd ones
/// (arbitrage; its floor is nothing, so it buys only once the loads' floors are served). Prices are micro-units
/// per kWh inside the band [<see cref="MinPrice"/>, <see cref="MaxPrice"/>].
/// </summary>
public sealed record BotProfile(string Role)
{
    public const ulong MinPrice = 80_000, MaxPrice = 200_000;
    /// <summary>Batteries buy below this and sell above it.</summary>
    public const ulong MidPrice = 140_000;

    public static readonly string[] Roles = ["pv", "consumer", "ev", "battery"];

    /// <summary>The profile of a role; ArgumentException naming the value for an unknown one.</summary>
    public static BotProfile For(string role)
        => Roles.Contains(role) ? new(role) : throw new ArgumentException($"--role must be pv, consumer, ev or battery, got '{role}'");

    /// <summary>Whether the bot sells in the interval starting at <paramref name="start"/> (else it buys).</summary>
    public bool Sells(ulong start, ulong length) => Role == "pv" || (Role == "battery" && start / length % 2 == 1);

    /// <summary>
    /// The energy to trade in the interval, Wh (0: sit it out), and the least worth having: a load draws its floor
    /// whether it was bought or not, so buying less leaves the rest to the POLR.
    /// </summary>
    public (ulong Wh, ulong FloorWh) Energy(IntervalCapability device, ulong length)
        => Sells(device.Start, length) ? (device.MaxExportWh, 0) : (device.MaxImportWh, Math.Min(device.MinImportWh, device.MaxImportWh));

    /// <summary>
    /// What a buyer takes now, Wh, having bought <paramref name="boughtWh"/> of the interval already: in the window's
    /// first tick (<paramref name="floorsOnly"/>) what its floor still lacks, after it the rest of the most its device
    /// can draw — never more in all than <paramref name="wh"/>, what the device published it can take.
    /// </summary>
    public static ulong ToBuy(ulong wh, ulong floorWh, ulong boughtWh, bool floorsOnly)
    {
        ulong target = floorsOnly ? Math.Min(floorWh, wh) : wh;
        return target > boughtWh ? target - boughtWh : 0;
    }

    /// <summary>The ask of a sell offer: PV anywhere in the lower band, batteries above the mid price.</summary>
    public ulong Ask(Random random) => Role == "battery"
        ? (ulong)random.NextInt64((long)MidPrice, (long)MaxPrice + 1)
        : (ulong)random.NextInt64((long)MinPrice, (long)MidPrice + 1);

    /// <summary>The most the bot pays per kWh: batteries only charge cheaply.</summary>
    public ulong Limit => Role == "battery" ? MidPrice : MaxPrice;
}
