using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Node.Ledger;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// The host side of the engine: sleeps until a transaction arrives or the heartbeat is due, then lets the engine
/// commit. All timing goes through the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class ConsensusDriver : BackgroundService
{
    private readonly IConsensusEngine _engine;
    private readonly Mempool _mempool;
    private readonly TimeProvider _clock;
    private readonly ILogger<ConsensusDriver> _log;
    // Capacity one, drop on full: a burst of submissions needs one wake-up, not one per transaction.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public ConsensusDriver(IConsensusEngine engine, Mempool mempool, TimeProvider clock, ILogger<ConsensusDriver> log)
    {
        _engine = engine;
        _mempool = mempool;
        _clock = clock;
        _log = log;
        _mempool.Accepted += () => _wake.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_engine.TryCommit() is { } block)
                    _log.LogDebug("committed block {Height} with {Count} transactions", block.Height, block.Results.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed commit left the store at the previous height (ILedgerStore.Commit is atomic); retry on the next wake-up.
                _log.LogError(e, "committing block {Height} failed", _engine.Height + 1);
            }
            using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(_engine.UntilDue() is { Ticks: > 0 } due ? due : TimeSpan.FromMilliseconds(1), _clock, sleep.Token);
            try { await Task.WhenAny(delay, _wake.Reader.WaitToReadAsync(sleep.Token).AsTask()).ConfigureAwait(false); }
            finally { await sleep.CancelAsync().ConfigureAwait(false); }
            _wake.Reader.TryRead(out _);
        }
    }
}
