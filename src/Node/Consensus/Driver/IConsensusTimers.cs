namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>
/// The timer seam: the driver's timeouts and its gossip tick, driven by an injected clock (<see cref="TimeProviderTimers"/>).
/// </summary>
public interface IConsensusTimers
{
    /// <summary>Calls <paramref name="fire"/> after <paramref name="after"/>, on the thread that drives the driver; disposing the result cancels it.</summary>
    IDisposable Schedule(TimeSpan after, Action fire);
}
