namespace P2PEnergy.Node.Network;

/// <summary>
/// How long to wait before dialing a peer again: <see cref="First"/> after the first failure, doubling after each
/// further one up to a cap, back to the start once a connection was authenticated. Not thread-safe: one dialer uses it.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan max)
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);

    private TimeSpan _next = First;

    /// <summary>The wait before the next attempt; each call doubles the one after it, up to the cap.</summary>
    public TimeSpan Next()
    {
        var wait = _next < max ? _next : max;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, max.Ticks));
        return wait;
    }

    /// <summary>A connection got through the handshake: the next failure waits <see cref="First"/> again.</summary>
    public void Reset() => _next = First;
}
