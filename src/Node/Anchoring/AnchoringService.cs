using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Anchoring;

/// <summary>
/// Posts checkpoints of the committed chain to the EVM anchor (docs/anchoring.md). It runs on the thread pool and only
/// reads the store and waits on the block feed, so no EVM trouble — a node that is gone, slow or refusing — can hold up
/// consensus: every failure is logged, counted (<see cref="AnchorMonitor"/>) and retried after a capped, doubling wait.
/// It resumes from the height the contract holds, and when several validators run it the proposer of a height posts at
/// once while the others wait <see cref="AnchorOptions.NonProposerDelayMs"/> past the block's time and post only if the
/// checkpoint has still not appeared.
/// </summary>
public sealed class AnchoringService : BackgroundService
{
    private readonly Func<CancellationToken, Task<IAnchorChain>> _connect;
    private readonly ILedgerStore _store;
    private readonly ChainParameters _parameters;
    private readonly BlockFeed _feed;
    private readonly Address _validator;
    private readonly AnchorOptions _options;
    private readonly TimeProvider _clock;
    private readonly AnchorMonitor _monitor;
    private readonly ILogger _log;
    private readonly AnchorSchedule _schedule;
    private IAnchorChain? _chain;
    private ulong _waitedFor;

    public AnchoringService(Func<CancellationToken, Task<IAnchorChain>> connect, ILedgerStore store, ChainParameters parameters, BlockFeed feed,
        Address validator, AnchorOptions options, TimeProvider clock, AnchorMonitor monitor, ILogger log)
    {
        _connect = connect;
        _store = store;
        _parameters = parameters;
        _feed = feed;
        _validator = validator;
        _options = options;
        _clock = clock;
        _monitor = monitor;
        _log = log;
        _schedule = new AnchorSchedule(options.EveryBlocks, options.AfterSettlement);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never run on the host's start-up path
        int failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (FeedClosedException) { break; }
            catch (Exception e)
            {
                failures++;
                var wait = Backoff(failures);
                _monitor.Failed(Describe(e), _clock.GetUtcNow().ToUnixTimeMilliseconds());
                _log.LogWarning("anchoring failed (attempt {Failures}), retrying in {Wait} ms: {Error}", failures, (long)wait.TotalMilliseconds, Describe(e));
                if (e is not AnchorRejectedException) DropConnection(); // reconnect: the endpoint may have restarted
                try { await Task.Delay(wait, _clock, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        DropConnection();
    }

    /// <summary>The wait after <paramref name="failures"/> consecutive failures: initial × 2^(failures − 1), at most the cap.</summary>
    public TimeSpan Backoff(int failures)
    {
        double ms = _options.RetryInitialMs * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.RetryMaxMs));
    }

    /// <summary>One pass: read the contract, catch up on new headers, post the next checkpoint or wait for a block.</summary>
    internal async Task StepAsync(CancellationToken cancellationToken)
    {
        _chain ??= await _connect(cancellationToken);
        var state = await _chain.ReadAsync(cancellationToken);
        if (state.LedgerChainId != _parameters.ChainId)
            throw new InvalidOperationException($"the anchor at {_monitor.Contract} anchors ledger chain {state.LedgerChainId}, this node is chain {_parameters.ChainId}");
        _monitor.Read(state.LastHeight);
        _schedule.StartAfter(state.LastHeight);
        ulong tip = _feed.Height;
        for (ulong h = _schedule.Observed + 1; h <= tip; h++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var header = (_store.GetBlock(h) ?? throw new InvalidOperationException($"block {h} is missing from the store")).Header;
            bool handsOver = !header.NextValidatorSetHash.Span.SequenceEqual(header.ValidatorSetHash.Span);
            bool settled = _options.AfterSettlement && _store.GetChanges(h).Any(c => c.Key.StartsWith(SettlementKeys.IntervalPrefix, StringComparison.Ordinal));
            _schedule.Observe(h, handsOver, settled);
        }
        if (_schedule.Next(state.LastHeight) is not { } target)
        {
            _monitor.Succeeded();
            await _feed.WaitForHeightAsync(tip + 1, cancellationToken);
            return;
        }
        var block = _store.GetBlock(target) ?? throw new InvalidOperationException($"block {target} is missing from the store");
        if (Address.FromBytes(block.Header.Proposer.Span) != _validator && _waitedFor != target)
        {
            // Not ours to post first: give the proposer its head start, then read the contract again.
            var due = DateTimeOffset.FromUnixTimeMilliseconds(block.Header.TimeMs).AddMilliseconds(_options.NonProposerDelayMs);
            var wait = due - _clock.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _clock, cancellationToken);
            _waitedFor = target;
            return;
        }
        bool handsOverSet = !block.Header.NextValidatorSetHash.Span.SequenceEqual(block.Header.ValidatorSetHash.Span);
        var next = handsOverSet ? ValidatorSchedule.InForce(_store, _parameters, target + 1).Select(v => (v.Address, v.Power)).ToList() : null;
        switch (await _chain.PostAsync(AnchorCheckpoint.From(block, next), cancellationToken))
        {
            case PostOutcome.Anchored anchored:
                _monitor.Posted(target, anchored.Transaction);
                _log.LogInformation("anchored block {Height} in EVM block {EvmBlock} (transaction {Transaction}, {Gas} gas)", target, anchored.EvmBlock, anchored.Transaction, anchored.GasUsed);
                break;
            case PostOutcome.Superseded superseded:
                _monitor.Succeeded();
                _log.LogInformation("checkpoint {Height} superseded: {Why}", target, superseded.Why);
                break;
        }
    }

    private void DropConnection()
    {
        _chain?.Dispose();
        _chain = null;
    }

    private static string Describe(Exception e)
    {
        var root = e;
        while (root.InnerException is not null && root is not AnchorRejectedException) root = root.InnerException;
        var text = ReferenceEquals(root, e) ? e.Message : $"{e.Message} ({root.Message})";
        return text.ReplaceLineEndings(" ");
    }
}
