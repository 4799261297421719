using System.Diagnostics.Metrics;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Anchoring;

/// <summary>
/// What the anchoring service last knew, for GetNodeStatus (<see cref="AnchorStatus"/>) and as System.Diagnostics.Metrics
/// instruments on the meter P2PEnergy.Node.Anchoring: last anchored height, lag behind the chain, checkpoints posted, failed attempts.
/// Written by the service, read by any thread.
/// </summary>
public sealed class AnchorMonitor : IDisposable
{
    /// <summary>The node's meter name (what a /metrics exporter listens to).</summary>
    public const string MeterName = "P2PEnergy.Node.Anchoring";

    private readonly object _gate = new();
    private readonly Func<ulong> _chainHeight;
    private readonly Meter _meter;
    private readonly Counter<long> _posted;
    private readonly Counter<long> _failures;
    private ulong _lastAnchored, _postedCount, _failureCount;
    private string _lastError = "", _lastTransaction = "";
    private long _lastErrorTimeMs;

    public AnchorMonitor(string contract, Func<ulong> chainHeight)
    {
        Contract = contract;
        _chainHeight = chainHeight;
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("p2pe.anchor.last_anchored_height", () => (long)LastAnchored, "{block}", "Height of the last checkpoint the anchor contract holds");
        _meter.CreateObservableGauge("p2pe.anchor.lag", () => (long)Lag, "{block}", "Blocks committed since the last anchored checkpoint");
        _meter.CreateObservableGauge("p2pe.anchor.healthy", () => Healthy ? 1 : 0, null, "1 when the last anchoring attempt succeeded, 0 after a failure");
        _posted = _meter.CreateCounter<long>("p2pe.anchor.checkpoints_posted", "{checkpoint}", "Checkpoints this node posted");
        _failures = _meter.CreateCounter<long>("p2pe.anchor.failures", "{attempt}", "Failed anchoring attempts (EVM node unreachable, refused, timed out)");
    }

    public string Contract { get; }

    public ulong LastAnchored { get { lock (_gate) return _lastAnchored; } }

    public ulong Lag { get { ulong tip = _chainHeight(), last = LastAnchored; return tip > last ? tip - last : 0; } }

    public bool Healthy { get { lock (_gate) return _lastError.Length == 0; } }

    public string LastError { get { lock (_gate) return _lastError; } }

    public void Read(ulong lastAnchored)
    {
        lock (_gate) _lastAnchored = Math.Max(_lastAnchored, lastAnchored);
    }

    public void Posted(ulong height, string transaction)
    {
        lock (_gate)
        {
            _lastAnchored = Math.Max(_lastAnchored, height);
            _postedCount++;
            _lastTransaction = transaction;
            _lastError = "";
        }
        _posted.Add(1);
    }

    /// <summary>An attempt ended without error (nothing due, or another validator's checkpoint superseded ours).</summary>
    public void Succeeded()
    {
        lock (_gate) _lastError = "";
    }

    public void Failed(string error, long timeMs)
    {
        lock (_gate)
        {
            _failureCount++;
            _lastError = error;
            _lastErrorTimeMs = timeMs;
        }
        _failures.Add(1);
    }

    public AnchorStatus Snapshot()
    {
        ulong lag = Lag;
        lock (_gate)
            return new AnchorStatus
            {
                Contract = Contract, LastAnchoredHeight = _lastAnchored, Lag = lag, LastError = _lastError, LastErrorTimeMs = _lastErrorTimeMs,
                Posted = _postedCount, Failures = _failureCount, LastTransaction = _lastTransaction,
            };
    }

    public void Dispose() => _meter.Dispose();
}
