using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Driver;

// Block pacing (DriverOptions.Heartbeat): a node does not start a height, and so make a block, while nothing waits to
// be ordered and the heartbeat is not due — an idle chain makes one block per heartbeat, so BFT time keeps moving
// (settlement and expiry depend on it), and a busy one a block as soon as the last is stored. A height waiting to start
// starts when transactions arrive (TransactionsAvailable), when its heartbeat timer fires, or when a message of that
// height shows a peer has started it; a node that starts a paced height says so (HeightStatus), so one validator with
// transactions starts every validator's height.
public sealed partial class TendermintDriver
{
    // The committed height whose successor waits to start; null when none waits.
    private ulong? _waitingAfter;
    private IDisposable? _heartbeatTimer;

    /// <summary>The host's mempool accepted a transaction: a height waiting for one starts now.</summary>
    public void TransactionsAvailable()
    {
        if (!_disposed && _waitingAfter is not null) StartWaitingHeight();
    }

    /// <summary>Whether the next height waits for transactions or the heartbeat.</summary>
    public bool Waiting => _waitingAfter is not null;

    // Block `committed` is stored: start the next height now, or wait for a reason to.
    private void StartNextHeight(ulong committed)
    {
        if (_options.Heartbeat is not { } heartbeat)
        {
            BeginHeight(committed);
            return;
        }
        long wait = _app.HasPendingTransactions ? 0
            : ProposalSchedule.UntilHeartbeat(_clock.GetUtcNow().ToUnixTimeMilliseconds(), _app.LastBlockTimeMs, (long)heartbeat.TotalMilliseconds);
        _waitingAfter = committed;
        // Even when due now, through the timer: the host's loop gets its turn between heights (shutdown, gossip, peers),
        // and what this height signed leaves before the next height's block is built.
        _heartbeatTimer = _timers.Schedule(TimeSpan.FromMilliseconds(wait), () => { if (!_disposed) StartWaitingHeight(); });
    }

    private void StartWaitingHeight()
    {
        if (_waitingAfter is not { } committed) return;
        _waitingAfter = null;
        _heartbeatTimer?.Dispose();
        _heartbeatTimer = null;
        BeginHeight(committed);
        _network.Broadcast(new ConsensusMessage { Status = new HeightStatus { Height = _core.Height } });
    }

    // The height a message is about, read before any check (a forged one can only start a height early, which is harmless).
    private static ulong HeightOf(ConsensusMessage message) => message.BodyCase switch
    {
        ConsensusMessage.BodyOneofCase.Proposal => message.Proposal.Proposal?.Height ?? 0,
        ConsensusMessage.BodyOneofCase.Vote => message.Vote.Vote?.Height ?? 0,
        ConsensusMessage.BodyOneofCase.Status => message.Status.Height,
        ConsensusMessage.BodyOneofCase.Decision => message.Decision.Header?.Height ?? 0,
        _ => 0,
    };
}
