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

    public DispatchPublisher(IStateReader state, ChainParameters parameters, BlockFeed feed, long lastBlockTimeMs)
    {
        _state = state;
        _parameters = parameters;
        Advance(lastBlockTimeMs);
        feed.Committed += block => Advance(block.Block.Header.TimeMs);
    }

    /// <summary>Start of the latest interval whose gate has closed at the last committed block, if any.</summary>
    public ulong? ClosedThrough { get { lock (_gate) return _closedThrough; } }

    /// <summary>Publishes instructions for every interval whose gate closed by <paramref name="blockTimeMs"/>.</summary>
    public void Advance(long blockTimeMs)
    {
        ulong now = (ulong)(blockTimeMs / 1000);
        ulong length = _parameters.IntervalSeconds;
        // The latest interval with gate ≤ now: gate(i) = i − lead, so i ≤ now + lead.
        ulong latest = (now + _parameters.GateClosureSeconds) / length * length;
        TaskCompletionSource released;
        lock (_gate)
        {
            if (_closedThrough is { } done && done >= latest) return;
            ulong first = _closedThrough is { } d ? Math.Max(d + length, latest - Math.Min(latest, (Retained - 1) * length)) : latest;
            for (ulong interval = first; interval <= latest; interval += length)
                _recent[interval] = DispatchSchedule.ForInterval(_state, _parameters, interval);
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
