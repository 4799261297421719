namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// What a trading bot wants in one interval, by role: a PV prosumer sells 80 % of its clear-sky forecast, a consumer
/// and an EV owner buy their need, a battery buys in even intervals and sells in odd ones (arbitrage). Prices are
/// micro-units per kWh inside the band [<see cref="MinPrice"/>, <see cref="MaxPrice"/>].
/// </summary>
public sealed record BotProfile(string Role, double PowerW, TimeSpan UtcOffset)
{
    public const ulong MinPrice = 80_000, MaxPrice = 200_000;
    /// <summary>Batteries buy below this and sell above it.</summary>
    public const ulong MidPrice = 140_000;

    /// <summary>The profile of a role with its default power: pv 8 kW array, consumer 2 kW, ev 7 kW charger, battery 4 kW.</summary>
    public static BotProfile For(string role, double? powerW, TimeSpan utcOffset) => role switch
    {
        "pv" => new(role, powerW ?? 8000, utcOffset),
        "consumer" => new(role, powerW ?? 2000, utcOffset),
        "ev" => new(role, powerW ?? 7000, utcOffset),
        "battery" => new(role, powerW ?? 4000, utcOffset),
        _ => throw new ArgumentException($"--role must be pv, consumer, ev or battery, got '{role}'"),
    };

    /// <summary>Whether the bot sells in the interval starting at <paramref name="start"/> (else it buys).</summary>
    public bool Sells(ulong start, ulong length) => Role == "pv" || (Role == "battery" && start / length % 2 == 1);

    /// <summary>The energy to trade in the interval, Wh (0: sit it out).</summary>
    public ulong EnergyWh(ulong start, ulong length)
    {
        double hours = length / 3600.0;
        if (Role != "pv") return (ulong)(PowerW * hours);
        var pv = new Device.PvDriver(PowerW, 0, UtcOffset, new Random(0));
        return (ulong)(0.8 * pv.ClearSkyWh(new Device.DeviceInterval(start, length)));
    }

    /// <summary>The ask of a sell offer: PV anywhere in the lower band, batteries above the mid price.</summary>
    public ulong Ask(Random random) => Role == "battery"
        ? (ulong)random.NextInt64((long)MidPrice, (long)MaxPrice + 1)
        : (ulong)random.NextInt64((long)MinPrice, (long)MidPrice + 1);

    /// <summary>The most the bot pays per kWh: batteries only charge cheaply.</summary>
    public ulong Limit => Role == "battery" ? MidPrice : MaxPrice;
}
