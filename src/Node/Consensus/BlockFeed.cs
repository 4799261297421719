namespace P2PEnergy.Node.Consensus;

/// <summary>
/// Announces committed blocks to any number of waiters (streams, watchers). A waiter asks for a height and is
/// released once it is stored; the block itself is read back from the store, so a slow reader never holds memory.
/// </summary>
public sealed class BlockFeed
{
    private readonly object _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _height;
    private bool _closed;

    public BlockFeed(ulong height) => _height = height;

    /// <summary>Height of the last announced block.</summary>
    public ulong Height { get { lock (_gate) return _height; } }

    /// <summary>Raised after each commit, on the committing thread, before any waiter for the block is released.</summary>
    public event Action<CommittedBlock>? Committed;

    /// <summary>
    /// Announces <paramref name="block"/>: to the subscribers first, then to the waiters, so that whoever the block wakes
    /// (a block stream, a transaction watch) finds every subscriber's view of it in place — metrics, readiness, the latest
    /// block, the validators in force. A subscriber that throws does not keep the waiters waiting: the block is stored.
    /// </summary>
    public void Publish(CommittedBlock block)
    {
        try { Committed?.Invoke(block); }
        finally
        {
            TaskCompletionSource released;
            lock (_gate)
            {
                _height = block.Height;
                released = _next;
                _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            released.TrySetResult(); // already faulted when the feed was closed
        }
    }

    /// <summary>
    /// Ends every wait, now and later, with <see cref="FeedClosedException"/>: the node is stopping and no block will
    /// come, so a stream waiting for one ends instead of holding the shutdown.
    /// </summary>
    public void Close()
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            released = _next;
        }
        released.TrySetException(new FeedClosedException());
    }

    /// <summary>Completes once a block of at least <paramref name="height"/> is stored; throws <see cref="FeedClosedException"/> after <see cref="Close"/>.</summary>
    public async Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_height >= height) return;
                if (_closed) throw new FeedClosedException();
                next = _next.Task;
            }
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
