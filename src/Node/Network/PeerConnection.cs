using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>
/// One authenticated connection to a peer: who it is, which side dialed, its outbound queue, and the committed height it
/// last claimed (from its Hello and the consensus messages it sends; a hint for block sync, trusted for nothing).
/// </summary>
public sealed class PeerConnection
{
    private readonly CancellationTokenSource _close = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _claimed;

    public PeerConnection(PeerIdentity identity, bool dialed, string remote, PeerOutbox outbox)
    {
        Identity = identity;
        Dialed = dialed;
        Remote = remote;
        Outbox = outbox;
    }

    public PeerIdentity Identity { get; }

    /// <summary>True when this node dialed the connection, false when the peer did.</summary>
    public bool Dialed { get; }

    /// <summary>The peer's network address as seen here (for logs).</summary>
    public string Remote { get; }

    public PeerOutbox Outbox { get; }

    /// <summary>Cancelled when the connection is to close (replaced by another, the peer misbehaved, the node stops).</summary>
    public CancellationToken Closing => _close.Token;

    /// <summary>Completes once the connection is gone from the peer table.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The highest committed height the peer claimed.</summary>
    public ulong ClaimedHeight => (ulong)Interlocked.Read(ref _claimed);

    /// <summary>Raises <see cref="ClaimedHeight"/> to <paramref name="height"/>; true when it rose.</summary>
    public bool Claim(ulong height)
    {
        long value = (long)Math.Min(height, long.MaxValue);
        while (true)
        {
            long current = Interlocked.Read(ref _claimed);
            if (value <= current) return false;
            if (Interlocked.CompareExchange(ref _claimed, value, current) == current) return true;
        }
    }

    /// <summary>Queues a frame for the peer (consensus and block-sync frames).</summary>
    public void Send(PeerFrame frame) => Outbox.Post(frame);

    public void Close()
    {
        try { _close.Cancel(); } catch (ObjectDisposedException) { /* already gone */ }
        Outbox.Close();
    }

    // The reader's transaction work since it last read a consensus frame (read and written by the reader alone): how long
    // a proposal or vote read next waited behind it (the diagnosis of a late proposal).
    internal long VerifyTicksSinceConsensus, FramesSinceConsensus, TransactionsSinceConsensus;

    internal void MarkClosed() => _closed.TrySetResult();

    public override string ToString() => $"{Identity} at {Remote}";
}
