namespace P2PEnergy.Node.Network;

/// <summary>
/// A token bucket over frames from one peer: <c>perSecond</c> tokens a second, holding at most one second's worth, on
/// the injected clock (integer arithmetic: credit is kept in frames × 100 ns ticks). A peer that sends faster for
/// longer than the burst is over the limit. Not thread-safe: one connection's reader uses it.
/// </summary>
public sealed class PeerRateLimit
{
    private readonly TimeProvider _clock;
    private readonly long _perSecond, _cost, _cap;
    private long _credit, _last;

    public PeerRateLimit(int perSecond, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _clock = clock;
        _perSecond = perSecond;
        _cost = TimeSpan.TicksPerSecond;
        _cap = checked(_perSecond * _cost);
        _credit = _cap;
        _last = clock.GetUtcNow().UtcTicks;
    }

    /// <summary>Takes one token; false when none is left (the peer is over its rate).</summary>
    public bool TryTake()
    {
        long now = _clock.GetUtcNow().UtcTicks, elapsed = Math.Max(0, now - _last);
        _last = now;
        // Once a full second passed the bucket is full whatever it held; this also keeps the product below from overflowing.
        _credit = elapsed >= _cost ? _cap : Math.Min(_cap, _credit + elapsed * _perSecond);
        if (_credit < _cost) return false;
        _credit -= _cost;
        return true;
    }
}
