using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.ProcessState;

namespace P2PEnergy.Node.Consensus.Engine;

/// <summary>
/// The host of the <see cref="TendermintDriver"/>: one dedicated thread that takes everything consensus must handle —
/// timer callbacks, peer messages, mempool wake-ups — from one inbox, one at a time (the driver is single-threaded). All
/// timing goes through the injected <see cref="TimeProvider"/>. A failure inside the driver (a store commit that threw)
/// is handled as a crash of consensus alone: the driver is dropped and, after a pause, a new one replays the log.
/// </summary>
public sealed class ConsensusDriver : BackgroundService, Network.ISyncTarget
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1), LastRetry = TimeSpan.FromSeconds(30);

    private readonly ConsensusSetup _setup;
    private readonly TimeProvider _clock;
    private readonly ILogger<ConsensusDriver> _log;
    private readonly BlockingCollection<Action> _inbox = new();
    private readonly int _nice;
    private readonly CancellationToken _started;
    private readonly CommitWatch? _commits;
    private readonly ConsensusProgress? _progress;
    private readonly EvidenceReporter? _evidence;
    private TendermintDriver? _driver;
    private TimeSpan _retry = FirstRetry;
    private int _wakePending;
    private bool _syncing;

    /// <summary>
    /// The consensus thread gets Linux nice value <paramref name="nice"/> (0 = normal; see <see cref="OsThreadPriority"/>)
    /// and starts once <paramref name="started"/> fires (the host's ApplicationStarted: the API listens), or at once
    /// when it is <see cref="CancellationToken.None"/>; each commit is recorded in <paramref name="commits"/> (the
    /// health check reads it) and the engine's next height, round 0, in <paramref name="progress"/> (the metrics read it).
    /// </summary>
    public ConsensusDriver(ConsensusSetup setup, Mempool mempool, TimeProvider clock, ILogger<ConsensusDriver> log, int nice = 0,
        CommitWatch? commits = null, CancellationToken started = default, ConsensusProgress? progress = null)
    {
        _setup = setup;
        _progress = progress;
        _clock = clock;
        _log = log;
        _nice = nice;
        _commits = commits;
        _started = started;
        // One wake-up waits at a time: a burst of submissions needs one, not one per transaction.
        mempool.Accepted += () =>
        {
            if (Interlocked.Exchange(ref _wakePending, 1) == 0) Post(() =>
            {
                Volatile.Write(ref _wakePending, 0);
                _driver?.TransactionsAvailable();
            });
        };
        setup.Application.Feed.Committed += OnCommitted;
        // Evidence is signed by the validator key; an observer has none and only logs what it saw.
        if (setup.Key is { } key)
            _evidence = new EvidenceReporter(setup.Options.ChainId, key, mempool.Submit, work => ThreadPool.QueueUserWorkItem(_ => work()), log);
    }

    /// <summary>Runs <paramref name="action"/> on the consensus thread, after what is already waiting.</summary>
    public void Post(Action action)
    {
        try { _inbox.Add(action); }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) { /* stopped: nothing runs any more */ }
    }

    /// <summary>A consensus message from peer <paramref name="from"/> (the peer network calls this from any thread).</summary>
    public void Receive(ConsensusMessage message, Address from) => Post(() => _driver?.Receive(message, from));

    /// <summary>Block sync starts: the driver stops (its log stays), so the node neither proposes nor votes while it catches up.</summary>
    public void Pause() => Post(() =>
    {
        _syncing = true;
        _driver?.Dispose();
        _driver = null;
    });

    /// <summary>Block sync ends: a driver starts at the height after the store's last block, as after a restart.</summary>
    public void Resume() => Post(() =>
    {
        _syncing = false;
        StartDriver();
    });

    /// <summary>Commits blocks fetched from peers with <paramref name="commit"/>, which checks each first, on the consensus thread.</summary>
    public void Apply(IReadOnlyList<Block> blocks, Action<Block> commit, Action<int, Exception?> done) => Post(() =>
    {
        int applied = 0;
        try
        {
            foreach (var block in blocks)
            {
                if (block.Header?.Height is not { } height || height <= _setup.Application.Height) continue;
                commit(block);
                applied++;
            }
        }
        catch (Exception e)
        {
            _setup.Application.Reset();
            done(applied, e);
            // A block that fails its checks is the peer's fault; anything else (a store that failed) is handled as a
            // consensus failure.
            if (e is not Network.RejectedBlock) throw;
            return;
        }
        done(applied, null);
    });

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
        try
        {
            Handle(StartDriver, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                Action action;
                try { action = _inbox.Take(stoppingToken); }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { break; }
                if (!Handle(action, stoppingToken)) break;
                // Where consensus stands after the input, for the metrics (p2pe.consensus.round / step).
                // A height decided and stored waits (block pacing) for the next one's round 0: report that, as the metric's
                // "waiting to propose" rather than the finished height's precommit step.
                if (_driver?.State is { } state)
                {
                    if (state.DecisionRound >= 0) _progress?.Enter(state.Height + 1, 0, Core.Step.Propose);
                    else _progress?.Enter(state.Height, state.Round, state.Step);
                }
            }
        }
        finally
        {
            // The host disposes this service (and the inbox) once its shutdown grace is over, which can be while a block
            // is still executing here: the block is abandoned either way, and that is a stop, not a failure.
            try { _inbox.CompleteAdding(); }
            catch (ObjectDisposedException) { /* disposed by the host after its grace */ }
            _driver?.Dispose();
            _driver = null;
        }
    }

    // False when the node is stopping. A damaged log is fatal (the node must not sign without its memory); any other
    // failure drops the driver and restarts it from its log later.
    private bool Handle(Action action, CancellationToken stoppingToken)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the host gave the block in progress its grace and then closed the store under it. The block was
            // never committed (ILedgerStore.Commit is atomic), so it is simply abandoned.
            _log.LogInformation("block in progress abandoned: the node is stopping ({Reason})", e.GetType().Name);
            return false;
        }
        catch (Exception e) when (e is not (WalException or OperationCanceledException))
        {
            ulong height = _setup.Application.Height + 1;
            _driver?.Dispose();
            _driver = null;
            _setup.Application.Reset();
            var delay = _retry;
            _retry = TimeSpan.FromTicks(Math.Min(_retry.Ticks * 2, LastRetry.Ticks));
            _clock.CreateTimer(_ => Post(StartDriver), null, delay, Timeout.InfiniteTimeSpan);
            // Logged once the restart is scheduled, so the line is true when it is read: whoever acts on it (an operator,
            // a test moving its clock) finds the driver dropped, the application reset and the retry timer set.
            _log.LogError(e, "consensus failed at height {Height}; restarting it from its log in {Delay} s", height, delay.TotalSeconds);
            return true;
        }
    }

    private void StartDriver()
    {
        if (_driver is not null || _syncing) return;
        var s = _setup;
        var wal = new ConsensusWal(s.Storage, warning => _log.LogWarning("{Warning}", warning));
        var driver = new TendermintDriver(s.Options, s.Application, s.Network, new TimeProviderTimers(_clock, Post), wal,
            s.Key is null ? null : SignGuard.Load(s.Storage), s.Key, _clock, _log);
        if (_evidence is { } reporter) driver.EvidenceFound += reporter.Report;
        _driver = driver;
        driver.Start();
        var set = s.Application.ValidatorsAt(s.Application.Height + 1);
        if (s.Key is { } key && set.PowerOf(key.Address) * 3 <= set.TotalPower * 2 && s.Network is Network.NoPeers)
            _log.LogWarning("validator {Validator} holds {Power} of {Total} voting power and this node has no peers yet: no height can be decided", key.Address, set.PowerOf(key.Address), set.TotalPower);
    }

    // On the consensus thread, once a decided block is stored.
    private void OnCommitted(CommittedBlock block)
    {
        _retry = FirstRetry;
        _commits?.Record(block.Height, _clock.GetUtcNow().ToUnixTimeMilliseconds(), block.Took);
        _log.LogDebug("committed block {Height} with {Count} transactions", block.Height, block.Results.Count);
        // Each absorbed exception is logged once, with its stack, when its block commits.
        foreach (var fault in block.Faults)
            _log.LogError(fault.Exception, "block {Height}: {What} {Position} ({Transaction}) failed unexpectedly and was refused deterministically",
                fault.Height, fault.What, fault.Position, fault.TransactionId?.ToString() ?? "-");
    }

    public override void Dispose()
    {
        _inbox.Dispose();
        base.Dispose();
    }
}
