using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Execution.Handlers;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// Pending transactions, bounded by count and bytes, in arrival (FIFO) order. The door of DESIGN.md rule 4: it
/// refuses malformed, non-canonical, badly signed, oversized, expired and replayed transactions with a reason, and,
/// against the last committed state, signers who may not sign them (<see cref="SignerRules"/>, as CometBFT's CheckTx):
/// nothing it refuses takes block space. It keeps the verification so block execution does not recover the signatures
/// again; execution still re-checks everything at its height. Thread-safe.
/// </summary>
public sealed class Mempool
{
    private readonly TransactionVerifier _verifier;
    private readonly ChainParameters _parameters;
    private readonly ILedgerStore _store;
    private readonly DoorStateCache _doorState;
    private readonly Func<long> _lastBlockTimeMs;
    private readonly object _gate = new();
    private readonly LinkedList<VerifiedTransaction> _order = new();
    private readonly Dictionary<Hash32, LinkedListNode<VerifiedTransaction>> _byId = new();
    private long _bytes;
    // One context (and its empty overlay) per block for every submission's signer rules, shared by the admitting
    // threads: the rules only read (Check fails loudly when the overlay is written), so concurrent reads
    // of the overlay's empty write set are safe, and a new block (height or time) gets a new context.
    private LedgerContext? _doorContext;

    // lastBlockTimeMs: BFT time of the latest block, the only clock expiry is judged by (never the local clock).
    public Mempool(TransactionVerifier verifier, ChainParameters parameters, ILedgerStore store, Func<long> lastBlockTimeMs, int maxTransactions = 100_000, long maxBytes = 256L * 1024 * 1024)
    {
        if (parameters.ChainId != verifier.ChainId) throw new ArgumentException($"the verifier checks chain {verifier.ChainId}, the parameters are chain {parameters.ChainId}", nameof(parameters));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTransactions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _verifier = verifier;
        _parameters = parameters;
        _store = store;
        _doorState = new DoorStateCache(store, () => store.Height);
        _lastBlockTimeMs = lastBlockTimeMs;
        MaxTransactions = maxTransactions;
        MaxBytes = maxBytes;
    }

    public int MaxTransactions { get; }
    public long MaxBytes { get; }

    /// <summary>Raised (outside the lock) after a transaction is accepted, so a proposer can wake up.</summary>
    public event Action? Accepted;

    /// <summary>
    /// Raised (outside the lock) with each transaction accepted, before <see cref="Accepted"/> (the peer network relays
    /// it), and whether it was submitted as relayed by a validator peer (which sent it to every validator itself).
    /// </summary>
    public event Action<VerifiedTransaction, bool>? Admitted;

    public int Count { get { lock (_gate) return _order.Count; } }
    public long Bytes { get { lock (_gate) return _bytes; } }

    /// <summary>True while <paramref name="id"/> waits in the mempool.</summary>
    public bool Contains(Hash32 id) { lock (_gate) return _byId.ContainsKey(id); }

    /// <summary>The verifier every admitted transaction passed (a block check may reuse <see cref="Find"/>'s result only when it is its own).</summary>
    public TransactionVerifier Verifier => _verifier;

    /// <summary>The pending transaction with id <paramref name="id"/> as the door verified it, or null.</summary>
    public VerifiedTransaction? Find(Hash32 id) { lock (_gate) return _byId.TryGetValue(id, out var node) ? node.Value : null; }

    /// <summary>Raised (outside the lock) with the reason code of each refused submission (the rejections metric counts them).</summary>
    public event Action<string>? Refused;

    /// <summary>Checks the envelope <paramref name="bytes"/> exactly as submitted at the door and queues them when every check passes.</summary>
    public MempoolVerdict Submit(byte[] bytes) => Submit(bytes, relayed: false);

    /// <summary>
    /// As <see cref="Submit(byte[])"/>; <paramref name="relayed"/> says a validator peer relayed the bytes, so
    /// <see cref="Admitted"/> tells the peer network not to relay them again. The door's checks are the same.
    /// </summary>
    public MempoolVerdict Submit(byte[] bytes, bool relayed) => Submit([bytes], relayed)[0];

    /// <summary>
    /// Checks each envelope of <paramref name="batch"/> at the door as <see cref="Submit(byte[])"/> does and queues those
    /// that pass, in order, taking the lock once for the batch (32 submitters taking it once per transaction spun on it);
    /// one verdict per envelope.
    /// </summary>
    public IReadOnlyList<MempoolVerdict> Submit(IReadOnlyList<byte[]> batch, bool relayed = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var verdicts = new MempoolVerdict[batch.Count];
        var passed = new VerifiedTransaction?[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            // A peer's relay can trail the proposal that carried the same transaction (the proposal is checked and
            // committed while the relay waits its turn): refused by id first, its signatures are not recovered again.
            var (refusal, tx) = relayed && HeldOrCommitted(batch[i]) is { } held ? (held, null) : Check(batch[i]);
            // A transaction that passed gets its verdict from Enqueue below (accepted, or a duplicate or full pool).
            if (refusal is { } refused) verdicts[i] = refused;
            passed[i] = tx;
        }
        var admitted = new List<VerifiedTransaction>(batch.Count);
        lock (_gate)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (passed[i] is not { } tx) continue;
                verdicts[i] = Enqueue(tx);
                if (verdicts[i].Accepted) admitted.Add(tx);
            }
        }
        foreach (var verdict in verdicts)
            if (!verdict.Accepted) Refused?.Invoke(verdict.Code);
        foreach (var tx in admitted) Admitted?.Invoke(tx, relayed);
        if (admitted.Count > 0) Accepted?.Invoke();
        return verdicts;
    }

    // The duplicate verdict for a transaction this node already committed or holds, by its id alone; null otherwise.
    private MempoolVerdict? HeldOrCommitted(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var id = Contracts.Ledger.TransactionId.Of(bytes);
        if (_store.FindTransaction(id) is { } committed)
            return AlreadyCommitted(id, committed.Height);
        return Contains(id) ? AlreadyPending(id) : null;
    }

    // The two duplicate verdicts, one wording whichever check finds them (the door by id for relayed copies, or after verifying).
    private static MempoolVerdict AlreadyCommitted(Hash32 id, ulong height) => new(ReasonCodes.Duplicate, $"transaction {id} is already committed at height {height}", id);
    private static MempoolVerdict AlreadyPending(Hash32 id) => new(ReasonCodes.Duplicate, $"transaction {id} is already pending", id);

    // Every check but the mempool's own (duplicate pending, full): the refusal, or the verified transaction to queue.
    private (MempoolVerdict? Refusal, VerifiedTransaction? Passed) Check(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        VerifiedTransaction tx;
        // Signature recovery is the expensive part; it runs outside the lock so submitters verify in parallel.
        try { tx = _verifier.Verify(bytes); }
        catch (LedgerRejection rejection) { return (new MempoolVerdict(rejection.Code, rejection.Message, Contracts.Ledger.TransactionId.Of(bytes)), null); }
        var id = tx.Id;

        long timeMs = _lastBlockTimeMs();
        if (TransactionVerifier.ValidUntil(tx.Body) is { } validUntil)
        {
            var now = (ulong)(Math.Max(0, timeMs) / 1000);
            if (validUntil < now)
                return (new MempoolVerdict(ReasonCodes.Expired, $"{tx.Kind} expired at {IsoTime.Format(validUntil)}, the latest block time is {IsoTime.Format(now)}", id), null);
        }
        if (_store.FindTransaction(id) is { } committed)
            return (AlreadyCommitted(id, committed.Height), null);
        // Who may sign, against the last committed state (read-only: the overlay only ever holds the rules' reads),
        // read through the door's per-height cache.
        var context = DoorContext(_store.Height, timeMs);
        try { SignerRules.Require(context, tx); }
        catch (LedgerRejection rejection) { return (new MempoolVerdict(rejection.Code, rejection.Message, id), null); }
        // The shared context is safe only while the rules read; a rule that writes must fail loudly, here, in every test.
        if (context.State.Count != 0)
            throw new InvalidOperationException($"the door's signer rules wrote {context.State.Count} state key(s) checking a {tx.Kind}; they must only read");
        return (null, tx);
    }

    /// <summary>The context the door's signer rules read, at the height after <paramref name="height"/>; see <see cref="_doorContext"/>.</summary>
    private LedgerContext DoorContext(ulong height, long timeMs)
    {
        var held = Volatile.Read(ref _doorContext);
        if (held is null || held.Height != height + 1 || held.TimeMs != timeMs)
        {
            held = new LedgerContext(_parameters, new StateOverlay(_doorState), height + 1, timeMs);
            Volatile.Write(ref _doorContext, held);
        }
        return held;
    }

    // Under the lock.
    private MempoolVerdict Enqueue(VerifiedTransaction tx)
    {
        var id = tx.Id;
        var bytes = tx.Bytes;
        if (_byId.ContainsKey(id))
            return AlreadyPending(id);
        // Again, under the lock: the door's check ran outside it, and a block carrying this transaction (proposed by a
        // peer) may have committed since. Its Remove came before this lock, so only this check keeps the transaction
        // from lingering here and taking space in a later block as a refused duplicate. A store commit precedes its
        // Remove, so a commit this misses is one whose Remove is still to come. Absent ids cost a filter probe.
        if (_store.FindTransaction(id) is { } committed)
            return AlreadyCommitted(id, committed.Height);
        if (_order.Count >= MaxTransactions)
            return new MempoolVerdict(ReasonCodes.MempoolFull, $"mempool holds {_order.Count} transactions, the limit is {MaxTransactions}", id);
        if (_bytes + bytes.Length > MaxBytes)
            return new MempoolVerdict(ReasonCodes.MempoolFull, $"mempool holds {_bytes} bytes, {bytes.Length} more would pass the limit of {MaxBytes}", id);
        _byId[id] = _order.AddLast(tx);
        _bytes += bytes.Length;
        return new MempoolVerdict(ReasonCodes.Ok, "accepted", id);
    }

    /// <summary>The oldest pending transactions, up to <paramref name="maxCount"/> and <paramref name="maxBytes"/>; they stay pending until <see cref="Remove"/>.</summary>
    public IReadOnlyList<VerifiedTransaction> Reap(int maxCount, long maxBytes)
    {
        var reaped = new List<VerifiedTransaction>();
        long total = 0;
        lock (_gate)
        {
            foreach (var tx in _order)
            {
                // Stop at the first that does not fit: skipping ahead would break FIFO fairness.
                if (reaped.Count >= maxCount || total + tx.Bytes.Length > maxBytes) break;
                reaped.Add(tx);
                total += tx.Bytes.Length;
            }
        }
        return reaped;
    }

    /// <summary>Drops committed (or otherwise finished) transactions.</summary>
    public void Remove(IEnumerable<Hash32> ids)
    {
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (!_byId.Remove(id, out var node)) continue;
                _bytes -= node.Value.Bytes.Length;
                _order.Remove(node);
            }
        }
    }
}
