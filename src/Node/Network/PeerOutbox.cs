using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>
/// What waits to go to one peer: consensus frames (and block-sync frames) first, then relayed transactions, each in a
/// queue of bounded length. A full queue drops its oldest frame and counts it — the driver re-sends consensus messages
/// while it is stuck, so a slow peer loses old gossip, never blocks the sender. Transactions are sent batched, up to
/// <c>maxBatchBytes</c> per frame; a relay of many at once queues them all before it wakes the writer
/// (<see cref="QueueTransaction"/>, then <see cref="Wake"/>), so they leave in one frame. Thread-safe; one reader (the
/// connection's writer loop).
/// </summary>
public sealed class PeerOutbox(int capacity, int maxBatchBytes)
{
    private readonly Queue<PeerFrame> _consensus = new();
    private readonly Queue<byte[]> _transactions = new();
    private readonly SemaphoreSlim _ready = new(0);
    private long _dropped, _transactionFrames;
    private bool _closed;
    // Transactions were queued by QueueTransaction and the writer not woken for them yet.
    private bool _unannounced;

    /// <summary>Frames of transactions taken to be sent.</summary>
    public long TransactionFrames => Interlocked.Read(ref _transactionFrames);

    /// <summary>Frames and transactions dropped because their queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames and transactions waiting.</summary>
    public int Count { get { lock (_consensus) return _consensus.Count + _transactions.Count; } }

    /// <summary>Queues a consensus or block-sync frame; false when the oldest waiting one had to be dropped for it.</summary>
    public bool Post(PeerFrame frame) => Add(_consensus, frame, wake: true);

    /// <summary>Queues a relayed transaction and wakes the writer; false when the oldest waiting one had to be dropped for it.</summary>
    public bool PostTransaction(byte[] transaction) => Add(_transactions, transaction, wake: true);

    /// <summary>
    /// Queues a relayed transaction without waking the writer, which sends it after the next <see cref="Wake"/> (or
    /// with any other frame); false when the oldest waiting one had to be dropped for it.
    /// </summary>
    public bool QueueTransaction(byte[] transaction) => Add(_transactions, transaction, wake: false);

    /// <summary>Wakes the writer for the transactions queued since the last wake; does nothing when there are none.</summary>
    public void Wake()
    {
        lock (_consensus)
        {
            if (!_unannounced) return;
            _unannounced = false;
        }
        _ready.Release();
    }

    /// <summary>The next frame to send: a consensus frame when one waits, else a batch of transactions; null once closed.</summary>
    public async Task<PeerFrame?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_consensus)
            {
                if (_closed) return null;
                if (_consensus.TryDequeue(out var frame)) return frame;
                if (_transactions.Count > 0) return Batch();
            }
            await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends <see cref="TakeAsync"/>; what still waits is dropped.</summary>
    public void Close()
    {
        lock (_consensus)
        {
            _closed = true;
            _consensus.Clear();
            _transactions.Clear();
        }
        _ready.Release();
    }

    private bool Add<T>(Queue<T> queue, T item, bool wake)
    {
        bool kept = true;
        lock (_consensus)
        {
            if (_closed) return false;
            _unannounced = !wake;
            if (queue.Count >= capacity)
            {
                queue.Dequeue();
                Interlocked.Increment(ref _dropped);
                kept = false;
            }
            queue.Enqueue(item);
        }
        if (wake) _ready.Release();
        return kept;
    }

    // Under the lock: transactions up to the batch size (at least one, which alone is under the frame limit: the door
    // refuses bigger envelopes).
    private PeerFrame Batch()
    {
        var batch = new PeerTransactions();
        int bytes = 0;
        while (_transactions.TryPeek(out var next) && (batch.Transactions.Count == 0 || bytes + next.Length + 8 <= maxBatchBytes))
        {
            _transactions.Dequeue();
            batch.Transactions.Add(Google.Protobuf.UnsafeByteOperations.UnsafeWrap(next));
            bytes += next.Length + 8;
        }
        Interlocked.Increment(ref _transactionFrames);
        return new PeerFrame { Transactions = batch };
    }
}
