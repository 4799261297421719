using System.Diagnostics;
using System.Diagnostics.Metrics;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.Storage;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Operations;

/// <summary>
/// The node's instruments on the meter <see cref="MeterName"/> (exported at /metrics by <see cref="MetricsExport"/>,
/// which names each <c>meter_instrument</c>: <c>chain.height</c> is <c>p2pe_chain_height</c>; docs/operator.md lists them): chain height, block interval and execution time,
/// consensus round and step, peers, mempool size and bytes, committed transactions by result code, mempool refusals by
/// reason, the most loaded grid element of the current and next interval, settlement lag and POLR energy. Gauges read
/// their source when scraped; counters and histograms are fed by the commit and mempool events.
/// </summary>
public sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "p2pe";

    private readonly Meter _meter;
    private readonly MetricsGate _gate;
    private readonly Counter<long> _transactions;
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _blockInterval;
    private readonly Histogram<double> _blockDuration;
    private readonly ILedgerStore _store;
    private readonly ChainParameters _parameters;
    private readonly GridService _grid;
    private readonly Func<long> _lastBlockTimeMs;
    private long _previousBlockTimeMs = -1;

    public NodeMetrics(IMeterFactory meters, ILedgerStore store, Mempool mempool, IConsensusEngine engine, CommitWatch commits,
        ConsensusProgress progress, PeerCount peers, GridService grid, ChainParameters parameters, NodeReadiness readiness, MetricsGate gate)
    {
        _gate = gate;
        _store = store;
        _parameters = parameters;
        _grid = grid;
        _lastBlockTimeMs = () => engine.LastBlockTimeMs;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("node.ready", () => readiness.Check().Ready ? 1 : 0, "{ready}", "1 while the node is ready (what /readyz says), else 0");
        _meter.CreateObservableGauge("chain.height", () => (long)store.Height, "{block}", "Height of the last committed block");
        _blockInterval = _meter.CreateHistogram<double>("block.interval", "s", "BFT time between consecutive committed blocks");
        _blockDuration = _meter.CreateHistogram<double>("block.execution.duration", "s", "Proposing, executing and storing one block on the consensus thread");
        _meter.CreateObservableGauge("consensus.round", () => progress.Round, "{round}", "Consensus round of the height in progress");
        _meter.CreateObservableGauge("consensus.step", () => (int)progress.Step, "{step}", "Consensus step in progress: 1 propose, 2 prevote, 3 precommit");
        _meter.CreateObservableGauge("peers", () => peers.Connected, "{peer}", "Connected peers");
        _meter.CreateObservableGauge("mempool.transactions", () => mempool.Count, "{transaction}", "Transactions waiting in the mempool");
        _meter.CreateObservableGauge("mempool.bytes", () => mempool.Bytes, "By", "Bytes of the transactions waiting in the mempool");
        _transactions = _meter.CreateCounter<long>("transactions.committed", "{transaction}", "Committed transactions by result code (OK or the reason)");
        _rejections = _meter.CreateCounter<long>("mempool.rejections", "{transaction}", "Submissions the mempool refused, by reason code");
        _meter.CreateObservableGauge("grid.max_loading", MostLoaded, "%", "The most loaded grid element's flow as per cent of its rating, in the current and the next interval");
        _meter.CreateObservableGauge("settlement.lag", SettlementLag, "{interval}", "Intervals whose reading window has closed but which have not settled");
        _meter.CreateObservableGauge("settlement.last_interval", LastSettledInterval, "s", "Start (unix seconds) of the latest settled interval");
        _meter.CreateObservableGauge("settlement.polr.energy", PolrEnergy, "Wh", "Energy the POLR supplied (shortfalls) and absorbed (surpluses) in the latest settled interval");

        engine.Feed.Committed += OnCommitted;
        commits.Committed += took => _gate.Record(_blockDuration.Record, took.TotalSeconds);
        mempool.Refused += reason => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    private void OnCommitted(CommittedBlock block)
    {
        // One addition per result code in the block, not one per transaction: each addition is a labelled-series
        // lookup and lease in the exporter, on the consensus thread (a block of 5,000 OK contracts made 5,000 of them).
        foreach (var (code, count) in CountByCode(block.Results)) _transactions.Add(count, new KeyValuePair<string, object?>("code", code));
        long time = block.Block.Header.TimeMs, previous = Interlocked.Exchange(ref _previousBlockTimeMs, time);
        if (previous >= 0) _gate.Record(_blockInterval.Record, (time - previous) / 1000.0);
    }

    /// <summary>How many of <paramref name="results"/> carry each result code, in the order the codes first appear.</summary>
    internal static List<(string Code, long Count)> CountByCode(IReadOnlyList<TransactionResult> results)
    {
        // A block holds a handful of distinct codes (mostly OK): a short list searched linearly beats a dictionary.
        var counts = new List<(string Code, long Count)>(2);
        foreach (var result in results)
        {
            int at = 0;
            while (at < counts.Count && counts[at].Code != result.Code) at++;
            if (at == counts.Count) counts.Add((result.Code, 1));
            else counts[at] = (result.Code, counts[at].Count + 1);
        }
        return counts;
    }

    private ulong CurrentInterval => (ulong)Math.Max(0, _lastBlockTimeMs() / 1000) / _parameters.IntervalSeconds * _parameters.IntervalSeconds;

    private IEnumerable<Measurement<double>> MostLoaded()
    {
        ulong current = CurrentInterval;
        foreach (var (interval, name) in new[] { (current, "current"), (current + _parameters.IntervalSeconds, "next") })
            if (_grid.MostLoaded(interval) is { } most)
                yield return new Measurement<double>(most.Percent, new TagList { { "interval", name }, { "element", most.Element } });
    }

    /// <summary>Intervals due (end + reading window at or before the last block time) from the settlement cursor on.</summary>
    private long SettlementLag()
    {
        ulong next = SettlementProgress.NextInterval(_store), seconds = _parameters.IntervalSeconds;
        ulong now = (ulong)Math.Max(0, _lastBlockTimeMs() / 1000), wait = seconds + _parameters.ReadingWindowSeconds;
        if (next == 0 || now < next + wait) return 0;
        return (long)((now - wait - next) / seconds + 1);
    }

    // 0 before any interval has settled, as GetNodeStatus.last_settled_interval.
    private IEnumerable<Measurement<long>> LastSettledInterval()
    {
        yield return new Measurement<long>((long)(SettlementProgress.LastSettledInterval(_store, _parameters.IntervalSeconds) ?? 0));
    }

    // An idle interval (no record) took nothing from the POLR.
    private IEnumerable<Measurement<long>> PolrEnergy()
    {
        var settled = LatestSettlement();
        yield return new Measurement<long>((long)(settled?.PolrSuppliedWh ?? 0), new KeyValuePair<string, object?>("direction", "supplied"));
        yield return new Measurement<long>((long)(settled?.PolrAbsorbedWh ?? 0), new KeyValuePair<string, object?>("direction", "absorbed"));
    }

    private IntervalSettlement? LatestSettlement()
    {
        return SettlementProgress.LastSettledInterval(_store, _parameters.IntervalSeconds) is { } last
            && _store.Get(SettlementKeys.Interval(last)) is { } bytes ? IntervalSettlement.Parser.ParseFrom(bytes) : null;
    }

    public void Dispose() => _meter.Dispose();
}
