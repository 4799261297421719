namespace P2PEnergy.Node.Tests.Support;

/// <summary>A node's local clock: another clock's time plus a skew a test sets (a clock that stalls, steps back or runs ahead); timers are the other clock's.</summary>
public sealed class SkewedClock(TimeProvider inner) : TimeProvider
{
    public TimeSpan Skew { get; set; }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Skew;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => inner.CreateTimer(callback, state, dueTime, period);
}
