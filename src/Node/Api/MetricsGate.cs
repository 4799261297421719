namespace P2PEnergy.Node.Api;

/// <summary>
/// Keeps a scrape from reading a histogram in the middle of a recording. prometheus-net updates a histogram's bucket, sum
/// and count one after another, so a scrape taken between them showed a +Inf bucket one above the count — which the
/// Prometheus text format forbids and a strict parser refuses (the published-node test caught it under load).
/// Recordings hold the gate shared, so they never wait for each other; a scrape holds it alone while it serialises.
/// One per host, like the registry it guards.
/// </summary>
public sealed class MetricsGate : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    /// <summary>Runs a histogram recording (<paramref name="record"/> with <paramref name="value"/>) while no scrape reads.</summary>
    public void Record<T>(Action<T> record, T value)
    {
        _lock.EnterReadLock();
        try { record(value); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Runs a scrape (<paramref name="scrape"/>, synchronous) while no recording is under way.</summary>
    public T Scrape<T>(Func<T> scrape)
    {
        _lock.EnterWriteLock();
        try { return scrape(); }
        finally { _lock.ExitWriteLock(); }
    }

    public void Dispose() => _lock.Dispose();
}
