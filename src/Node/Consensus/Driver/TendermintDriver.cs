using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Wal;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;
using Evidence = P2PEnergy.Node.Consensus.Core.Evidence;

namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>
/// The host of one Tendermint state machine: it owns the machine, the write-ahead log, the double-sign guard and the
/// validator key, and talks to the world through three seams — the application (execute, build, commit), the network
/// (broadcast, send) and the timers. Single-threaded: every call (<see cref="Start"/>, <see cref="Receive"/>, timer
/// callbacks) must come from one thread. Every input is logged before the machine sees it; every signed message is
/// logged and fsynced, and recorded in the guard, before it leaves (unless its height is already stored); so a restart
/// replays the log to the same state and never signs twice. An exception from the application (a failed store commit)
/// leaves the driver unusable: dispose it and start a new one on the same log, as after a crash.
/// </summary>
public sealed partial class TendermintDriver : IDisposable
{
    private readonly DriverOptions _options;
    private readonly IConsensusApplication _app;
    private readonly IConsensusNetwork _network;
    private readonly IConsensusTimers _timers;
    private readonly ConsensusWal _wal;
    private readonly SignGuard? _guard;
    private readonly PrivateKey? _key;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly SignatureRecovery _recover;
    private readonly Tendermint _core;

    // Blocks this node knows of the current and next height, by hash: proposals, its own builds, decided blocks; and
    // which proposed blocks each round holds.
    private readonly Dictionary<Hash32, Block> _blocks = [];
    private readonly Dictionary<(ulong Height, int Round), List<Hash32>> _proposedIn = [];
    // Inputs waiting for the machine, each with the log record to append when it is queued (null: already logged).
    private readonly Queue<ConsensusInput> _queue = new();
    private readonly List<IDisposable> _pendingTimers = [];
    private bool _draining;
    private bool _replaying;
    private bool _disposed;

    /// <summary>
    /// A driver for validator <paramref name="key"/> (null: an observer that follows consensus but never signs; it then
    /// needs no <paramref name="guard"/>). <paramref name="recover"/> defaults to secp256k1 recovery.
    /// </summary>
    public TendermintDriver(DriverOptions options, IConsensusApplication app, IConsensusNetwork network, IConsensusTimers timers,
        ConsensusWal wal, SignGuard? guard, PrivateKey? key, TimeProvider clock, ILogger log, SignatureRecovery? recover = null)
    {
        if (key is not null && guard is null) throw new ArgumentNullException(nameof(guard), "a validator needs its double-sign guard");
        _options = options;
        _app = app;
        _network = network;
        _timers = timers;
        _wal = wal;
        _guard = guard;
        _key = key;
        _clock = clock;
        _log = log;
        _recover = recover ?? ((digest, signature) => Signer.Recover(digest, signature));
        _core = new Tendermint(key?.Address, options.Timeouts);
    }

    /// <summary>The state machine, for inspection (tests, status); only the driver feeds it.</summary>
    public Tendermint State => _core;

    /// <summary>Raised after a decided block is stored, with its commit.</summary>
    public event Action<Block>? Committed;

    /// <summary>Raised when the machine finds a validator misbehaving.</summary>
    public event Action<Evidence>? EvidenceFound;

    /// <summary>Raised for every message this node signed, as it leaves (the simulation checks no honest node signs twice).</summary>
    public event Action<ConsensusMessage>? Signed;

    /// <summary>Raised for every timeout the machine schedules, with its duration (metrics; the simulation checks the growth).</summary>
    public event Action<Timeout, TimeSpan>? TimeoutScheduled;

    /// <summary>
    /// Recovers from the log and starts: replays the segment of the height after the store's last block, or starts that
    /// height afresh. Throws <see cref="WalException"/> when the log is damaged in the middle or ahead of the store.
    /// </summary>
    public void Start()
    {
        ulong stored = _app.Height;
        var records = _wal.ReadAfter(stored);
        if (records.Count > 0 && records[0].Start is { } start && start.CommittedHeight == stored)
        {
            _wal.Continue(stored + 1);
            Replay(records);
        }
        else
        {
            if (records.Count > 0) _log.LogWarning("consensus WAL of height {Height} does not begin with its start record; starting the height afresh", stored + 1);
            StartNextHeight(stored);
        }
        _wal.Prune();
        Rebroadcast();
        ScheduleGossip();
    }

    /// <summary>
    /// A message from peer <paramref name="from"/>. Malformed or badly signed messages are dropped with a log line; a
    /// message for a height this node already decided gets the decided block back, so the peer can catch up.
    /// </summary>
    public void Receive(ConsensusMessage message, Address from)
    {
        if (_disposed) return;
        // A peer has started the height this node waits to start (pacing), or is past it: start it too, then take the
        // message. Past it means this node missed that height's messages (it was paused for block sync, or they came
        // before its last commit): the height's start broadcasts its status, and a peer that decided it sends the block.
        if (_waitingAfter is { } committed && HeightOf(message) > committed) StartWaitingHeight();
        if (!_core.Started) return;
        try
        {
            switch (message.BodyCase)
            {
                // Gossip repeats what the machine already holds: such a message is dropped before its signature is
                // checked (it could change nothing) and before it is logged (it would only grow the log).
                case ConsensusMessage.BodyOneofCase.Proposal:
                    var (proposal, block) = ConsensusCodec.ReadProposal(message.Proposal, _options.ChainId, recover: null);
                    if (HelpIfBehind(proposal.Proposal.Height, from) || AskIfAhead(proposal.Proposal.Height, from)) return;
                    bool timely = block.Header.TimeMs <= _clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)_options.MaxClockDrift.TotalMilliseconds;
                    var received = new ProposalReceived(proposal, timely);
                    if (_core.Holds(received)) return;
                    ConsensusCodec.Verify(proposal, _options.ChainId, _recover);
                    if (!FromRoundProposer(proposal.Proposal) || !KeepProposed(block, proposal.Proposal)) return;
                    NoteProposal(proposal.Proposal, block.Header.TimeMs);
                    Enqueue(received, new WalRecord { Proposal = new WalProposal { Message = message.Proposal, Timely = timely } });
                    break;
                case ConsensusMessage.BodyOneofCase.Vote:
                    var vote = ConsensusCodec.ReadVote(message.Vote, _options.ChainId, recover: null);
                    if (HelpIfBehind(vote.Vote.Height, from) || AskIfAhead(vote.Vote.Height, from)) return;
                    var input = new VoteReceived(vote);
                    if (_core.Holds(input)) return;
                    ConsensusCodec.Verify(vote, _options.ChainId, _recover);
                    Enqueue(input, new WalRecord { Vote = message.Vote });
                    break;
                case ConsensusMessage.BodyOneofCase.Decision:
                    if (message.Decision.Header?.Height != _core.Height || _core.Decision is not null) return; // only a node still at that height needs it
                    var (round, value, precommits) = ConsensusCodec.ReadCommit(message.Decision, _options.ChainId, _recover);
                    var decided = message.Decision.Clone();
                    decided.Commit = null;
                    _blocks[value] = decided; // more than 2/3 signed it: one per height, no flood possible
                    Enqueue(new CommitReceived(_core.Height, round, value, precommits), new WalRecord { Commit = message.Decision });
                    break;
                case ConsensusMessage.BodyOneofCase.Status:
                    HelpIfBehind(message.Status.Height, from);
                    return;
                default:
                    _log.LogDebug("consensus message from {Peer} has no body", from);
                    return;
            }
            Drain();
        }
        catch (ConsensusMessageException e)
        {
            _log.LogDebug("dropped a consensus message from {Peer}: {Reason}", from, e.Message);
        }
    }

    /// <summary>Stops the timers and closes the log (what a process exit does; the simulation "crashes" a node this way).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var timer in _pendingTimers) timer.Dispose();
        _pendingTimers.Clear();
        _gossipTimer?.Dispose();
        _heartbeatTimer?.Dispose();
        _wal.Dispose();
    }

    // Logs the input (write-ahead) and queues it; the caller drains. Logging at queue time keeps the log in the order the
    // machine will see the inputs, including those queued by effects, which is what makes replay reproduce it.
    private void Enqueue(ConsensusInput input, WalRecord? record)
    {
        if (record is not null && !_replaying) _wal.Append(record);
        _queue.Enqueue(input);
    }

    private void Drain()
    {
        if (_draining) return; // an effect queued more input: the loop below takes it
        _draining = true;
        try
        {
            while (!_disposed && _queue.TryDequeue(out var input))
                foreach (var effect in _core.Apply(input))
                    Perform(effect);
            if (!_disposed) Flush();
        }
        finally { _draining = false; }
    }

    private void OnTimeout(Timeout timeout)
    {
        if (_disposed) return;
        DiagnoseTimeout(timeout);
        Enqueue(new TimeoutFired(timeout), new WalRecord { Timeout = new WalTimeout { Height = timeout.Height, Round = (uint)timeout.Round, Step = (uint)timeout.Step } });
        Drain();
    }

    // A proposed block is kept only for this and the next height, for rounds at most two ahead, and at most as many per
    // round as the machine keeps proposals: a Byzantine proposer can sign any number of blocks for its round, and none
    // of them may crowd out a later honest proposal. A proposal not kept is dropped; while stuck, its proposer sends it again.
    private bool KeepProposed(Block block, Proposal proposal)
    {
        if (_blocks.ContainsKey(proposal.Value)) return true;
        int current = proposal.Height == _core.Height ? _core.Round : 0;
        if (proposal.Height < _core.Height || proposal.Height > _core.Height + 1 || proposal.Round > current + 2)
        {
            _log.LogDebug("dropped {Proposal}: only rounds up to {Round} of heights {Height} and {Next} are kept", proposal, current + 2, _core.Height, _core.Height + 1);
            return false;
        }
        if (!_proposedIn.TryGetValue((proposal.Height, proposal.Round), out var values)) _proposedIn[(proposal.Height, proposal.Round)] = values = [];
        if (values.Count >= Tendermint.MaxProposalsPerRound)
        {
            _log.LogDebug("dropped {Proposal}: round {Round} already holds {Count} blocks", proposal, proposal.Round, values.Count);
            return false;
        }
        values.Add(proposal.Value);
        _blocks[proposal.Value] = block;
        return true;
    }

    // Only a round's proposer may propose: checked before its block is kept. The next height's set is not known yet,
    // so its proposals are kept (bounded) and checked by the machine when the height starts.
    private bool FromRoundProposer(Proposal proposal)
    {
        if (proposal.Height != _core.Height || proposal.Round > _core.Round + Tendermint.MaxRoundsAhead) return true;
        if (_core.ProposerOf(proposal.Round) == proposal.Proposer) return true;
        _log.LogDebug("dropped {Proposal}: the proposer of round {Round} is {Expected}", proposal, proposal.Round, _core.ProposerOf(proposal.Round));
        return false;
    }

}
