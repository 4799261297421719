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

    public BlockFeed(ulong height) => _height = height;

    /// <summary>Height of the last announced block.</summary>
    public ulong Height { get { lock (_gate) return _height; } }

    /// <summary>Raised after each commit, on the committing thread.</summary>
    public event Action<CommittedBlock>? Committed;

    /// <summary>Announces <paramref name="block"/>.</summary>
    public void Publish(CommittedBlock block)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _height = block.Height;
            released = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        released.SetResult();
        Committed?.Invoke(block);
    }

    /// <summary>Completes once a block of at least <paramref name="height"/> is stored.</summary>
    public async Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_height >= height) return;
                next = _next.Task;
            }
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
