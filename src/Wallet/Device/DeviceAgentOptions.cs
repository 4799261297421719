namespace P2PEnergy.Wallet.Device;

/// <summary>What a device agent runs for: the meter, the chain's interval length, the wallet home for its cursor, and how it deviates and reconnects.</summary>
public sealed class DeviceAgentOptions
{
    public DeviceAgentOptions(string meter, string home, ulong intervalSeconds)
    {
        if (string.IsNullOrWhiteSpace(meter)) throw new ArgumentException("a meter id is required", nameof(meter));
        // The same bounds the genesis puts on intervalSeconds: a divisor of a day, at least 10 s.
        if (intervalSeconds is < 10 or > 86_400 || 86_400 % intervalSeconds != 0)
            throw new ArgumentOutOfRangeException(nameof(intervalSeconds), intervalSeconds, "the interval length must divide a day and lie in [10, 86400] s");
        Meter = meter;
        Home = home;
        IntervalSeconds = intervalSeconds;
    }

    public string Meter { get; }
    public string Home { get; }
    public ulong IntervalSeconds { get; }
    public Deviation Deviation { get; init; } = new(0);
    /// <summary>The device's local time minus UTC: the offset its published capabilities are written in (whole minutes).</summary>
    public TimeSpan UtcOffset
    {
        get => _utcOffset;
        init => _utcOffset = value.Ticks % TimeSpan.TicksPerMinute != 0 || value.Duration() > TimeSpan.FromHours(14)
            ? throw new ArgumentOutOfRangeException(nameof(UtcOffset), value, "the UTC offset must be whole minutes within ±14 h")
            : value;
    }
    public ReconnectBackoff Backoff { get; init; } = ReconnectBackoff.Default;
    /// <summary>Stop after this many intervals (tests and one-shot runs); null runs until cancelled.</summary>
    public int? StopAfter
    {
        get => _stopAfter;
        init => _stopAfter = value is < 1 ? throw new ArgumentOutOfRangeException(nameof(StopAfter), value, "--intervals must be at least 1") : value;
    }

    private readonly int? _stopAfter;
    private readonly TimeSpan _utcOffset;
}
