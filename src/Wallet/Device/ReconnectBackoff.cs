namespace P2PEnergy.Wallet.Device;

/// <summary>
/// How long the agent waits before its n-th consecutive reconnect: <c>initial × 2ⁿ</c>, capped, so a restarting node
/// is retried quickly and a node that is down for long is polled at a steady, modest rate — and when it gives up: once
/// the node has failed every attempt for <see cref="GiveUpAfter"/>. The caller resets the count (and the time it has
/// been failing) once a stream delivers an instruction.
/// </summary>
public sealed class ReconnectBackoff
{
    public ReconnectBackoff(TimeSpan initial, TimeSpan max, TimeSpan? giveUpAfter = null)
    {
        if (initial <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(initial), initial, "the first delay must be positive");
        if (max < initial) throw new ArgumentOutOfRangeException(nameof(max), max, $"the cap must be at least the first delay {initial}");
        var limit = giveUpAfter ?? DefaultGiveUpAfter;
        if (limit < initial) throw new ArgumentOutOfRangeException(nameof(giveUpAfter), limit, $"the give-up time must be at least the first delay {initial}");
        Initial = initial;
        Max = max;
        GiveUpAfter = limit;
    }

    /// <summary>Fifteen minutes: a node restart or a short network outage is ridden out; a node gone for good is reported.</summary>
    public static readonly TimeSpan DefaultGiveUpAfter = TimeSpan.FromMinutes(15);

    /// <summary>1 s doubling to 30 s, giving up after 15 min: a node restart is caught within seconds, well inside a gate-closure lead.</summary>
    public static ReconnectBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    public TimeSpan Initial { get; }
    public TimeSpan Max { get; }
    /// <summary>How long the node may fail every attempt before the agent stops trying.</summary>
    public TimeSpan GiveUpAfter { get; }

    /// <summary>The delay before reconnect number <paramref name="attempt"/> (0 = the first after a failure).</summary>
    public TimeSpan Delay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        // Past 2^30 the product overflows; by then the cap has long applied.
        if (attempt >= 30) return Max;
        double ticks = Initial.Ticks * Math.Pow(2, attempt);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The wait before reconnect number <paramref name="attempt"/> when the node has been failing for
    /// <paramref name="failingFor"/>: the backoff delay, shortened so the last attempt falls at <see cref="GiveUpAfter"/>;
    /// null when that time is up and the caller should give up.
    /// </summary>
    public TimeSpan? Next(int attempt, TimeSpan failingFor)
    {
        if (failingFor >= GiveUpAfter) return null;
        var delay = Delay(attempt);
        var left = GiveUpAfter - failingFor;
        return delay < left ? delay : left;
    }
}
