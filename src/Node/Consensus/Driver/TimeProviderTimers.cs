namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>
/// Timers from an injected <see cref="TimeProvider"/> (a virtual clock in tests). The callback is handed to
/// <paramref name="post"/>, which runs it on the driver's thread: inline in a single-threaded simulation, through the
/// consensus thread's queue in a node.
/// </summary>
public sealed class TimeProviderTimers(TimeProvider clock, Action<Action> post) : IConsensusTimers
{
    public IDisposable Schedule(TimeSpan after, Action fire)
        => clock.CreateTimer(_ => post(fire), null, after, Timeout.InfiniteTimeSpan);
}
