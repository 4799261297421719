using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Node.Ledger;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// The host side of the engine: sleeps until a transaction arrives or the heartbeat is due, then lets the engine
/// commit, on a dedicated thread. All timing goes through the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class ConsensusDriver : BackgroundService
{
    private readonly IConsensusEngine _engine;
    private readonly Mempool _mempool;
    private readonly TimeProvider _clock;
    private readonly ILogger<ConsensusDriver> _log;
    // Capacity one, drop on full: a burst of submissions needs one wake-up, not one per transaction.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly int _nice;
    private readonly CancellationToken _started;
    private readonly CommitWatch? _commits;
    private readonly ConsensusProgress? _progress;

    /// <summary>
    /// The consensus thread gets Linux nice value <paramref name="nice"/> (0 = normal; see <see cref="OsThreadPriority"/>)
    /// and starts once <paramref name="started"/> fires (the host's ApplicationStarted: the API listens), or at once
    /// when it is <see cref="CancellationToken.None"/>; each commit is recorded in <paramref name="commits"/> (the
    /// health check reads it) and the engine's next height, round 0, in <paramref name="progress"/> (the metrics read it).
    /// </summary>
    public ConsensusDriver(IConsensusEngine engine, Mempool mempool, TimeProvider clock, ILogger<ConsensusDriver> log, int nice = 0,
        CommitWatch? commits = null, CancellationToken started = default, ConsensusProgress? progress = null)
    {
        _commits = commits;
        _progress = progress;
        _engine = engine;
        _mempool = mempool;
        _clock = clock;
        _log = log;
        _nice = nice;
        _started = started;
        _mempool.Accepted += () => _wake.Writer.TryWrite(true);
    }

    /// <summary>
    /// Runs the loop on a thread of its own, not the thread pool: blocks execute and commit one after another there,
    /// and an own thread can be given a higher OS priority than the RPC workers it competes with for the cores
    /// (measured over 1,000,000 contracts on the 2-core dev box: 7,105 → 9,206 committed/s, docs/benchmarks.md).
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // No block before the API listens: a node whose port is taken must fail before it commits anything.
        if (_started.CanBeCanceled)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (_started.Register(() => started.TrySetResult()))
            using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                try { await started.Task; }
                catch (OperationCanceledException) { return; }
            }
        }
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                finished.SetResult();
            }
            catch (Exception e)
            {
                _log.LogCritical(e, "the consensus thread failed");
                finished.SetException(e);
            }
        }) { Name = "p2pe consensus", IsBackground = true };
        thread.Start();
        await finished.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        if (_nice != 0)
        {
            if (OsThreadPriority.TrySetForCurrentThread(_nice) is { } why)
                _log.LogWarning("consensus thread runs at normal priority: {Reason}", why);
            else _log.LogInformation("consensus thread runs at nice {Nice}", _nice);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                long attempt = System.Diagnostics.Stopwatch.GetTimestamp();
                if (_engine.TryCommit() is { } block)
                {
                    _commits?.Record(block.Height, _clock.GetUtcNow().ToUnixTimeMilliseconds(), System.Diagnostics.Stopwatch.GetElapsedTime(attempt));
                    // One validator decides each height in round 0 and then waits to propose the next.
                    _progress?.Enter(block.Height + 1, 0, Core.Step.Propose);
                    _log.LogDebug("committed block {Height} with {Count} transactions", block.Height, block.Results.Count);
                    // Each absorbed exception is logged once, with its stack, when its block commits.
                    foreach (var fault in block.Faults)
                        _log.LogError(fault.Exception, "block {Height}: {What} {Position} ({Transaction}) failed unexpectedly and was refused deterministically",
                            fault.Height, fault.What, fault.Position, fault.TransactionId?.ToString() ?? "-");
                }
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the host gave the block in progress its grace and then closed the store under it. The
                // block was never committed (ILedgerStore.Commit is atomic), so it is simply abandoned.
                _log.LogInformation("block in progress abandoned: the node is stopping ({Reason})", e.GetType().Name);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed commit left the store at the previous height (ILedgerStore.Commit is atomic); retry on the next wake-up.
                _log.LogError(e, "committing block {Height} failed", _engine.Height + 1);
            }
            using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(_engine.UntilDue() is { Ticks: > 0 } due ? due : TimeSpan.FromMilliseconds(1), _clock, sleep.Token);
            try { Task.WaitAny(delay, _wake.Reader.WaitToReadAsync(sleep.Token).AsTask()); }
            finally { sleep.Cancel(); }
            _wake.Reader.TryRead(out _);
        }
    }
}
