using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Dispatch;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Derives every meter's dispatch instruction once per interval, when a committed block's time passes that
/// interval's gate closure, and hands them to device streams. It keeps the most recent intervals in memory; a
/// device catching up on older ones gets them derived from its meter owner's contracts instead.
/// </summary>
/// <remarks>
/// A committed block only schedules the derivation; a worker task runs it. The derivation scans the index of every
/// unsettled contract that ends after the interval — with day-ahead trading that is the whole forward book — and on the
/// committing (consensus) thread it held up the next height for as long (≈ 0.3 s per 200,000 contracts in the load
/// benchmark, on every validator at once). Running it a moment later gives the same instructions: no contract for an
/// interval can commit after its gate closure, and none running in it settles before the interval has ended.
/// </remarks>
public sealed class DispatchPublisher
{
    /// <summary>Intervals kept in memory (a device reconnecting within this span is served without state scans).</summary>
    public const int Retained = 16;

    private readonly object _gate = new();
    private readonly IStateReader _state;
    private readonly ChainParameters _parameters;
    private readonly SortedDictionary<ulong, IReadOnlyDictionary<string, DispatchInstruction>> _recent = [];
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong? _closedThrough;
    private bool _stopped;
    private long _wantedMs = long.MinValue; // the latest committed block time the worker has yet to derive up to
    private bool _deriving;                 // a worker task is running

    public DispatchPublisher(IStateReader state, ChainParameters parameters, BlockFeed feed, long lastBlockTimeMs)
    {
        _state = state;
        _parameters = parameters;
        Advance(lastBlockTimeMs);
        feed.Committed += block => Schedule(block.Block.Header.TimeMs);
    }

    /// <summary>Raised (on the worker) when deriving failed; the next committed block tries again.</summary>
    public event Action<Exception>? DerivationFailed;

    /// <summary>
    /// What a committed block does: when its time closes a gate not yet published, the derivation up to it is handed to
    /// the worker (started if idle), and the committing thread returns at once.
    /// </summary>
    private void Schedule(long blockTimeMs)
    {
        lock (_gate)
        {
            if (_stopped || (_closedThrough is { } done && done >= LatestClosed(blockTimeMs))) return;
            _wantedMs = Math.Max(_wantedMs, blockTimeMs);
            if (_deriving) return;
            _deriving = true;
        }
        _ = Task.Run(DeriveScheduled);
    }

    private void DeriveScheduled()
    {
        while (true)
        {
            long wanted;
            lock (_gate)
            {
                if (_stopped) { _deriving = false; return; }
                wanted = _wantedMs;
            }
            try
            {
                Advance(wanted);
            }
            catch (Exception e)
            {
                bool stopping;
                lock (_gate)
                {
                    _deriving = false;
                    stopping = _stopped;
                }
                // A stopping node closes the store under the worker; otherwise say so, and retry with the next block.
                if (!stopping) DerivationFailed?.Invoke(e);
                return;
            }
            lock (_gate)
            {
                if (_stopped || _wantedMs == wanted) { _deriving = false; return; }
            }
        }
    }

    /// <summary>The latest interval whose gate has closed at <paramref name="blockTimeMs"/> (gate(i) = i − lead, so i ≤ now + lead).</summary>
    private ulong LatestClosed(long blockTimeMs)
    {
        ulong length = _parameters.IntervalSeconds;
        return ((ulong)(blockTimeMs / 1000) + _parameters.GateClosureSeconds) / length * length;
    }

    /// <summary>Start of the latest interval whose gate has closed at the last committed block, if any.</summary>
    public ulong? ClosedThrough { get { lock (_gate) return _closedThrough; } }

    /// <summary>
    /// Publishes instructions for every interval whose gate closed by <paramref name="blockTimeMs"/>. The derivation
    /// runs outside the lock, so neither a device stream nor a committed block's <see cref="Schedule"/> waits for it.
    /// </summary>
    public void Advance(long blockTimeMs)
    {
        ulong length = _parameters.IntervalSeconds;
        ulong latest = LatestClosed(blockTimeMs);
        ulong first;
        lock (_gate)
        {
            if (_closedThrough is { } done && done >= latest) return;
            first = _closedThrough is { } d ? Math.Max(d + length, latest - Math.Min(latest, (Retained - 1) * length)) : latest;
        }
        var derived = new List<(ulong Interval, IReadOnlyDictionary<string, DispatchInstruction> Instructions)>();
        for (ulong interval = first; interval <= latest; interval += length)
            derived.Add((interval, DispatchSchedule.ForInterval(_state, _parameters, interval)));
        TaskCompletionSource released;
        lock (_gate)
        {
            if (_closedThrough is { } done && done >= latest) return; // another caller published them meanwhile
            foreach (var (interval, instructions) in derived) _recent[interval] = instructions;
            while (_recent.Count > Retained) _recent.Remove(_recent.Keys.First());
            _closedThrough = latest;
            released = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        released.TrySetResult(); // already faulted when the publisher was closed
    }

    /// <summary>Ends every device stream's wait, now and later, with <see cref="FeedClosedException"/>: the node is stopping.</summary>
    public void Close()
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            released = _next;
        }
        released.TrySetException(new FeedClosedException());
    }

    /// <summary>
    /// The final instruction of <paramref name="meter"/> for <paramref name="intervalStart"/>, waiting until the
    /// interval's gate has closed.
    /// </summary>
    public async Task<DispatchInstruction> NextAsync(MeterState meter, ulong intervalStart, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_closedThrough is { } closed && closed >= intervalStart)
                {
                    if (_recent.TryGetValue(intervalStart, out var all))
                        return all.TryGetValue(meter.Meter, out var instruction) ? instruction : DispatchSchedule.Idle(meter.Meter, intervalStart);
                    break;
                }
                if (_stopped) throw new FeedClosedException();
                next = _next.Task;
            }
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return DispatchSchedule.ForMeter(_state, _parameters, meter, intervalStart);
    }
}
