namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The simulation's event loop: events ordered by virtual time, ties by the order they were scheduled, so a run depends
/// on nothing but its seed. Time is unix milliseconds and moves only when an event is taken.
/// </summary>
public sealed class Scheduler(long startMs)
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _events = new();
    private long _sequence;

    public long Now { get; private set; } = startMs;

    /// <summary>Events run so far.</summary>
    public long Executed { get; private set; }

    public int Pending => _events.Count;

    public void At(long timeMs, Action action) => _events.Enqueue(action, (Math.Max(timeMs, Now), _sequence++));

    public void After(long delayMs, Action action) => At(Now + delayMs, action);

    /// <summary>
    /// Runs every event due by <paramref name="timeMs"/> (and those they schedule by then), stopping early when
    /// <paramref name="until"/> holds after an event; then the clock stands at <paramref name="timeMs"/> unless stopped
    /// early. True when stopped by <paramref name="until"/>.
    /// </summary>
    public bool RunUntil(long timeMs, Func<bool>? until = null)
    {
        while (_events.TryPeek(out _, out var next) && next.Time <= timeMs)
        {
            Step();
            if (until?.Invoke() == true) return true;
        }
        Now = Math.Max(Now, timeMs);
        return false;
    }

    /// <summary>Runs the next event; false when none is left.</summary>
    public bool Step()
    {
        if (!_events.TryDequeue(out var action, out var key)) return false;
        Now = key.Time;
        Executed++;
        action();
        return true;
    }
}

/// <summary>A <see cref="TimeProvider"/> on the scheduler's virtual time; its timers are scheduler events.</summary>
public sealed class VirtualClock(Scheduler scheduler) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(scheduler.Now);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class VirtualTimer(Scheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private long _generation;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long generation = ++_generation;
            if (dueTime == Timeout.InfiniteTimeSpan) return true;
            scheduler.After(Milliseconds(dueTime), () => Fire(generation, period));
            return true;
        }

        private void Fire(long generation, TimeSpan period)
        {
            if (generation != _generation) return; // changed or disposed since
            if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero) scheduler.After(Milliseconds(period), () => Fire(generation, period));
            callback(state);
        }

        public void Dispose() => _generation++;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static long Milliseconds(TimeSpan span) => (span.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
    }
}
