namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A TimeProvider that moves only when a test says so (Microsoft.Extensions.TimeProvider.Testing is not served to us).
/// Its timers fire on the thread that calls <see cref="Advance"/> once their time has come, never on their own; a timer
/// due at once (zero delay) fires as it is set, on the thread that sets it.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }

    /// <summary>Moves the clock on and fires every timer that falls due (in due order; periodic ones again as often as due).</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate) target = _now + by;
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } due && due <= target).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = target;
                    return;
                }
                if (next.Due > _now) _now = next.Due!.Value;
                next.Due = next.Period is { } period ? _now + period : null;
            }
            next.Fire();
        }
    }

    /// <summary>When each timer set and not yet fired, stopped or disposed falls due, from now, soonest first.</summary>
    public IReadOnlyList<TimeSpan> Pending
    {
        get { lock (_gate) return [.. _timers.Where(t => t.Due is not null).Select(t => t.Due!.Value - _now).Order()]; }
    }

    public void Set(DateTimeOffset to)
    {
        lock (_gate) _now = to;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool now;
            lock (clock._gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
                now = dueTime == TimeSpan.Zero;
                if (now) Due = Period is { } p ? clock._now + p : null;
            }
            if (now) Fire();
            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
