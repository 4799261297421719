using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>
/// Transaction frames a peer relayed, waiting to be checked at the door, so that the connection's reader never checks
/// them itself: a proposal or vote read after a frame of transactions reaches consensus at once, not after that frame's
/// signature recoveries (up to 4 MiB of them; issue 15, rounds lost to a late proposal). Bounded in bytes: when a frame
/// would pass <c>maxBytes</c>, the oldest waiting are dropped and counted (as a full outbox drops its oldest) — the
/// newest is always kept. Thread-safe; one reader (the connection's relay loop).
/// </summary>
public sealed class PeerRelayQueue(long maxBytes)
{
    private readonly Queue<(PeerTransactions Frame, long Bytes)> _frames = new();
    private readonly SemaphoreSlim _ready = new(0);
    private long _bytes, _dropped;
    private bool _closed;

    /// <summary>Frames dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames waiting.</summary>
    public int Count { get { lock (_frames) return _frames.Count; } }

    /// <summary>Queues a frame of <paramref name="bytes"/> bytes; false when older frames had to be dropped for it.</summary>
    public bool Post(PeerTransactions frame, long bytes)
    {
        bool kept = true;
        lock (_frames)
        {
            if (_closed) return false;
            while (_frames.Count > 0 && _bytes + bytes > maxBytes)
            {
                _bytes -= _frames.Dequeue().Bytes;
                Interlocked.Increment(ref _dropped);
                kept = false;
            }
            _frames.Enqueue((frame, bytes));
            _bytes += bytes;
        }
        _ready.Release();
        return kept;
    }

    /// <summary>The oldest waiting frame; null once closed.</summary>
    public async Task<PeerTransactions?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_frames)
            {
                if (_closed) return null;
                if (_frames.TryDequeue(out var next))
                {
                    _bytes -= next.Bytes;
                    return next.Frame;
                }
            }
            await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends <see cref="TakeAsync"/>; what still waits is dropped.</summary>
    public void Close()
    {
        lock (_frames)
        {
            _closed = true;
            _frames.Clear();
            _bytes = 0;
        }
        _ready.Release();
    }
}
