namespace P2PEnergy.Wallet.Device;

/// <summary>
/// How long the agent waits before its n-th consecutive reconnect: <c>initial × 2ⁿ</c>, capped, so a restarting node
/// is retried quickly and a node that is down for long is polled at a steady, modest rate. The caller resets the
/// count once a stream delivers an instruction.
/// </summary>
public sealed class ReconnectBackoff
{
    public ReconnectBackoff(TimeSpan initial, TimeSpan max)
    {
        if (initial <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(initial), initial, "the first delay must be positive");
        if (max < initial) throw new ArgumentOutOfRangeException(nameof(max), max, $"the cap must be at least the first delay {initial}");
        Initial = initial;
        Max = max;
    }

    /// <summary>1 s doubling to 30 s: a node restart is caught within seconds, well inside a gate-closure lead.</summary>
    public static ReconnectBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    public TimeSpan Initial { get; }
    public TimeSpan Max { get; }

    /// <summary>The delay before reconnect number <paramref name="attempt"/> (0 = the first after a failure).</summary>
    public TimeSpan Delay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        // Past 2^30 the product overflows; by then the cap has long applied.
        if (attempt >= 30) return Max;
        double ticks = Initial.Ticks * Math.Pow(2, attempt);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
