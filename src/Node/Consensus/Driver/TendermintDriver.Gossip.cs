using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Driver;

// Tendermint assumes every message between honest nodes is eventually delivered; a real network drops some. So while
// no progress is made the driver sends its own messages of the height again and says which height it is deciding;
// a peer still at a height this node decided gets the decided block with its commit, and a peer seen two or more
// heights ahead is asked for it.
public sealed partial class TendermintDriver
{
    // This node's signed messages of the current height that have left, in signing order; and those waiting to leave.
    private readonly List<ConsensusMessage> _own = [];
    private readonly List<(ulong Height, ConsensusMessage Message)> _outbox = [];
    private readonly Dictionary<(Address Peer, ulong Height), long> _helped = [];
    private readonly Dictionary<Address, long> _asked = [];
    private IDisposable? _gossipTimer;
    private (ulong Height, int Round, Core.Step Step, bool Decided) _lastSeen;
    private int _stalledTicks;

    private void ScheduleGossip()
    {
        if (_disposed) return;
        _gossipTimer?.Dispose();
        _gossipTimer = _timers.Schedule(_options.GossipInterval, OnGossip);
    }

    private void OnGossip()
    {
        if (_disposed) return;
        var now = (_core.Height, _core.Round, _core.Step, _core.Decision is not null);
        _stalledTicks = now == _lastSeen ? _stalledTicks + 1 : 0;
        // Resend after 1, 2 and 4 stalled ticks, then every 8: a lost message is made good quickly, and a long stall
        // (a timeout several seconds long, a partition) does not turn into a resend storm.
        if (_stalledTicks > 0 && ((_stalledTicks & (_stalledTicks - 1)) == 0 && _stalledTicks <= 8 || _stalledTicks % 8 == 0)) Rebroadcast();
        _lastSeen = now;
        ScheduleGossip();
    }

    private void Rebroadcast()
    {
        if (!_core.Started) return;
        foreach (var message in _own) _network.Broadcast(message);
        RelayQuorums();
        _network.Broadcast(new ConsensusMessage { Status = new HeightStatus { Height = _core.Height } });
    }

    // Others' votes that a peer may need to move as this node did. Only own votes are sent otherwise, and a Byzantine
    // validator shows each peer something else, so a quorum this node saw may include a vote no peer ever got (a polka
    // completed by an equivocator's other vote; "2f + 1 of anything" completed by a colluder's vote sent to this node
    // alone), and a peer that never sees it stays behind. So: every vote of this round and the one before (what lines
    // 34, 47 and 55 count), and of every older round the votes behind a value that passed 2/3 (what 28 and 49 need).
    private void RelayQuorums()
    {
        if (!_core.Started) return;
        foreach (int round in _core.Votes.Rounds)
            foreach (var type in (ReadOnlySpan<VoteType>)[VoteType.Prevote, VoteType.Precommit])
            {
                var tally = _core.Votes.Of(round, type);
                IEnumerable<Core.SignedVote> relayed;
                if (round >= _core.Round - 1) relayed = tally.All();
                else if (tally.TwoThirdsValue(_core.Validators.TotalPower) is { } value && value != Core.Vote.Nil) relayed = tally.VotesFor(value);
                else continue;
                foreach (var vote in relayed)
                    if (vote.Vote.Validator != _key?.Address) _network.Broadcast(new ConsensusMessage { Vote = ConsensusCodec.ToMessage(vote) });
            }
    }

    // A peer sent a message two or more heights ahead: this node missed decisions (the machine keeps one height ahead
    // only). Tell that peer which height it is at, at most once per gossip interval, and the peer sends the block.
    private bool AskIfAhead(ulong height, Address peer)
    {
        if (height <= _core.Height + 1) return false;
        long now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (_asked.TryGetValue(peer, out long last) && now - last < (long)_options.GossipInterval.TotalMilliseconds) return true;
        if (_asked.Count > 4096) _asked.Clear();
        _asked[peer] = now;
        _network.Send(peer, new ConsensusMessage { Status = new HeightStatus { Height = _core.Height } });
        return true;
    }

    // A peer sent a message for a height this node already decided: send it that block with its commit (at most once per
    // gossip interval per peer and height), so it can decide too. True when the message is for such a height.
    private bool HelpIfBehind(ulong height, Address peer)
    {
        if (height >= _core.Height) return false;
        long now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (_helped.TryGetValue((peer, height), out long last) && now - last < (long)_options.GossipInterval.TotalMilliseconds) return true;
        if (_app.CommittedBlock(height) is not { } block) return true;
        if (_helped.Count > 4096) _helped.Clear();
        _helped[(peer, height)] = now;
        _log.LogDebug("peer {Peer} is at height {Height}; sending it the decided block", peer, height);
        _network.Send(peer, new ConsensusMessage { Decision = block });
        return true;
    }
}
