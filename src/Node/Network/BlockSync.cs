using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>What block sync drives: the consensus host, which stops its driver while blocks are applied and starts it after.</summary>
public interface ISyncTarget
{
    /// <summary>Stops consensus: the node neither proposes nor votes until <see cref="Resume"/>.</summary>
    void Pause();

    /// <summary>Starts consensus again, at the height after the last block applied.</summary>
    void Resume();

    /// <summary>
    /// Checks and commits <paramref name="blocks"/> in order (each must be the next height), stopping at the first that
    /// fails; <paramref name="done"/> hears how many were committed and the failure, if any.
    /// </summary>
    void Apply(IReadOnlyList<Block> blocks, Action<int, Exception?> done);
}

/// <summary>
/// Catching up from peers. When a peer claims a committed height two or more past this node's (one behind, the driver
/// gets the decided block itself), the peer claiming the most is asked for the blocks after this node's tip, a batch at
/// a time. Blocks in hand, consensus is paused (the node neither proposes nor votes) and the consensus host checks each
/// (commit quorum of the set in force, re-execution to the header's app hash) and commits it; once no peer is two ahead,
/// consensus resumes. Pausing only once blocks arrived means a peer that merely claims a height cannot stall this node.
/// A peer that answers nothing useful in time, or a block that fails its check, is passed over for a while. Thread-safe.
/// </summary>
public sealed class BlockSync : IDisposable
{
    /// <summary>How long a peer has to answer a request, and how long a peer that did not is passed over.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10), PassOver = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly PeerNetwork _network;
    private readonly int _batch;
    private readonly Func<ulong> _height;
    private readonly TimeProvider _clock;
    private readonly Dictionary<PeerConnection, long> _passedOver = [];
    private ISyncTarget? _target;
    private ILogger _log = NullLogger.Instance;
    private ITimer? _tick;
    private PeerConnection? _asked;
    private long _askedAt;
    private bool _applying, _paused, _stopped;
    private long _applied;

    internal BlockSync(PeerNetwork network, int batch, Func<ulong> height, TimeProvider clock)
    {
        _network = network;
        _batch = batch;
        _height = height;
        _clock = clock;
    }

    /// <summary>True while consensus is paused for catching up (blocks from a peer are being applied).</summary>
    public bool CatchingUp { get { lock (_gate) return _paused; } }

    /// <summary>Blocks committed by block sync since the node started.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Raised when catching up starts (with the target height) and ends (null).</summary>
    public event Action<string?>? StateChanged;

    internal void Attach(ISyncTarget target, ILogger log)
    {
        _target = target;
        _log = log;
        _tick = _clock.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Peer <paramref name="peer"/> claims committed height <paramref name="height"/>.</summary>
    internal void Claimed(PeerConnection peer, ulong height)
    {
        if (peer.Claim(height) && height >= _height() + 2) Consider();
    }

    internal void Dropped(PeerConnection peer)
    {
        lock (_gate)
        {
            _passedOver.Remove(peer);
            if (ReferenceEquals(_asked, peer) && !_applying) _asked = null;
        }
        Consider();
    }

    internal void Received(PeerConnection peer, BlockResponse response)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_asked, peer) || _applying || _target is null)
            {
                _log.LogDebug("{Peer} sent {Count} blocks nobody asked it for; dropped", peer, response.Blocks.Count);
                return;
            }
            if (response.Blocks.Count == 0)
            {
                _log.LogInformation("{Peer} claims height {Height} but sent no blocks after {Own}; passing it over for {Seconds} s", peer, peer.ClaimedHeight, _height(), PassOver.TotalSeconds);
                PassOverLocked(peer);
                _asked = null;
            }
            else _applying = true;
        }
        if (response.Blocks.Count == 0)
        {
            Consider();
            return;
        }
        bool pause;
        lock (_gate)
        {
            pause = !_paused;
            _paused = true;
        }
        if (pause)
        {
            string state = $"at height {_height()}, {peer} is at {peer.ClaimedHeight}";
            _log.LogInformation("catching up: {State}; consensus paused", state);
            _target!.Pause();
            StateChanged?.Invoke(state);
        }
        _target!.Apply(response.Blocks, (applied, failure) =>
        {
            Interlocked.Add(ref _applied, applied);
            lock (_gate)
            {
                _applying = false;
                _asked = null;
                if (failure is not null)
                {
                    _log.LogWarning("block sync from {Peer} stopped after {Applied} blocks, at height {Height}: {Reason}; passing it over for {Seconds} s",
                        peer, applied, _height() + 1, failure.Message, PassOver.TotalSeconds);
                    PassOverLocked(peer);
                }
            }
            Consider();
        });
    }

    private void Tick()
    {
        try { TimeOut(); }
        catch (ObjectDisposedException) { /* the node stopped between the check and the store read */ }
    }

    private void TimeOut()
    {
        lock (_gate)
        {
            if (_stopped) return;
            if (_asked is { } peer && !_applying && _clock.GetUtcNow().UtcTicks - _askedAt > RequestTimeout.Ticks)
            {
                _log.LogInformation("{Peer} did not answer a block request within {Seconds} s; passing it over", peer, RequestTimeout.TotalSeconds);
                PassOverLocked(peer);
                _asked = null;
            }
        }
        Consider();
    }

    private void PassOverLocked(PeerConnection peer)
    {
        if (_passedOver.Count > 1024) _passedOver.Clear();
        _passedOver[peer] = _clock.GetUtcNow().UtcTicks + PassOver.Ticks;
    }

    // Asks the best peer for the next batch, or resumes consensus when no peer is two ahead any more.
    private void Consider()
    {
        bool resume = false;
        lock (_gate)
        {
            if (_target is null || _stopped || _asked is not null || _applying) return;
            ulong own = _height();
            long now = _clock.GetUtcNow().UtcTicks;
            var best = _network.Peers
                .Where(p => !_passedOver.TryGetValue(p, out long until) || until < now)
                .MaxBy(p => p.ClaimedHeight);
            if (best is not null && best.ClaimedHeight >= own + 2)
            {
                _asked = best;
                _askedAt = now;
                ulong count = Math.Min((ulong)_batch, best.ClaimedHeight - own);
                best.Send(new PeerFrame { BlockRequest = new BlockRequest { From = own + 1, Count = (uint)count } });
            }
            else if (_paused)
            {
                _paused = false;
                resume = true;
            }
        }
        if (resume)
        {
            _log.LogInformation("caught up at height {Height} ({Applied} blocks from peers so far); consensus resumes", _height(), Applied);
            _target.Resume();
            StateChanged?.Invoke(null);
        }
    }

    /// <summary>Stops asking (the node stops: its store is about to close).</summary>
    public void Dispose()
    {
        lock (_gate) _stopped = true;
        _tick?.Dispose();
    }
}
