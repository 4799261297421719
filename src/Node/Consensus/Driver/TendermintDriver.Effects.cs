using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;

namespace P2PEnergy.Node.Consensus.Driver;

// Carrying out the machine's effects. While replaying the log, host work (timers, executions, builds, broadcasts,
// commits) is held back: the log already holds its results, and what is still outstanding afterwards the machine
// re-issues on Resumed.
public sealed partial class TendermintDriver
{
    private void Perform(ConsensusEffect effect)
    {
        switch (effect)
        {
            case SignVote sign: SignAndSend(sign.Vote); break;
            case SignProposal sign: SignAndSend(sign.Proposal); break;
            case ScheduleTimeout schedule when !_replaying:
                var timeout = schedule.Timeout;
                NoteRoundStart(timeout);
                _pendingTimers.Add(_timers.Schedule(schedule.After, () => OnTimeout(timeout)));
                TimeoutScheduled?.Invoke(timeout, schedule.After);
                break;
            case ExecuteProposal execute when !_replaying: Execute(execute); break;
            case BuildValue build when !_replaying: Build(build); break;
            case Decide decide when !_replaying:
                DiagnoseDecision(decide);
                CommitDecision(decide);
                break;
            case ReportEvidence report:
                _log.LogWarning("consensus evidence: {Evidence}", report.Evidence);
                EvidenceFound?.Invoke(report.Evidence);
                break;
            case InputRejected rejected:
                _log.LogDebug("consensus ignored {Input}: {Reason}", rejected.Input.GetType().Name, rejected.Reason);
                break;
        }
    }

    private void Execute(ExecuteProposal execute)
    {
        if (!_blocks.TryGetValue(execute.Value, out var block))
        {
            _log.LogError("asked to execute block {Value} of height {Height}, which this node does not hold", execute.Value, execute.Height);
            return;
        }
        var verdict = _app.Execute(block);
        if (!verdict.Valid) _log.LogInformation("block {Value} of height {Height} is invalid: {Reason}", execute.Value, execute.Height, verdict.Reason);
        Enqueue(new ProposalExecuted(execute.Height, execute.Value, verdict.Valid, verdict.AppHash), new WalRecord
        {
            Executed = new WalExecuted
            {
                Height = execute.Height, BlockHash = Google.Protobuf.ByteString.CopyFrom(execute.Value.Bytes), Valid = verdict.Valid,
                AppHash = Google.Protobuf.ByteString.CopyFrom(verdict.AppHash.Bytes),
            },
        });
    }

    private void Build(BuildValue build)
    {
        // BFT time: strictly after the parent's, and the local clock when that is later (ProposalSchedule).
        long now = NowMs;
        long time = ProposalSchedule.NextBlockTime(now, _app.LastBlockTimeMs);
        var block = _app.BuildProposal(build.Height, time, _key!.Address);
        _lastBuildMs = NowMs - now;
        var hash = Contracts.Ledger.BlockHeaderHashing.Hash(block.Header);
        _blocks[hash] = block;
        Enqueue(new ValueBuilt(build.Height, build.Round, hash), new WalRecord { Built = new WalBuilt { Height = build.Height, Round = (uint)build.Round, Block = block } });
    }

    private void SignAndSend(Vote vote)
    {
        var step = vote.Type == VoteType.Prevote ? Step.Prevote : Step.Precommit;
        var digest = ConsensusCodec.Digest(vote, _options.ChainId);
        if (FromLog(vote.Height, vote.Round, step) is { } logged)
        {
            // Replaying: this vote was signed and logged before the crash; its record, later in the log, feeds it back.
            var earlier = ConsensusCodec.ReadVote(logged.Vote, _options.ChainId, recover: null);
            if (earlier.Vote != vote) _log.LogCritical("replay asks to sign {Vote} but the log holds {Logged}: refusing", vote, earlier.Vote);
            else _guard!.Record(vote.Height, vote.Round, step, digest, earlier.Signature);
            return;
        }
        if (SignGuarded(vote.Height, vote.Round, step, digest) is not { } signature) return;
        var signed = new SignedVote(vote, signature);
        var message = new ConsensusMessage { Vote = ConsensusCodec.ToMessage(signed) };
        PersistAndSend(vote.Height, vote.Round, step, digest, signature, new WalRecord { OwnVote = message.Vote }, message);
        Equivocate(vote);
        Enqueue(new VoteReceived(signed), record: null); // logged above as the own-vote record
    }

    private void SignAndSend(Proposal proposal)
    {
        var digest = ConsensusCodec.Digest(proposal, _options.ChainId);
        if (FromLog(proposal.Height, proposal.Round, Step.Propose) is { } logged)
        {
            var (earlier, _) = ConsensusCodec.ReadProposal(logged.Proposal, _options.ChainId, recover: null);
            if (earlier.Proposal != proposal) _log.LogCritical("replay asks to sign {Proposal} but the log holds {Logged}: refusing", proposal, earlier.Proposal);
            else _guard!.Record(proposal.Height, proposal.Round, Step.Propose, digest, earlier.Signature);
            return;
        }
        if (!_blocks.TryGetValue(proposal.Value, out var block))
        {
            _log.LogError("cannot propose {Proposal}: this node does not hold the block", proposal);
            return;
        }
        if (SignGuarded(proposal.Height, proposal.Round, Step.Propose, digest) is not { } signature) return;
        var signed = new SignedProposal(proposal, signature);
        var message = new ConsensusMessage { Proposal = ConsensusCodec.ToMessage(signed, block) };
        PersistAndSend(proposal.Height, proposal.Round, Step.Propose, digest, signature, new WalRecord { OwnProposal = message.Proposal }, message);
        Enqueue(new ProposalReceived(signed, Timely: true), record: null);
    }

    private Signature? SignGuarded(ulong height, int round, Step step, Hash32 digest)
    {
        if (_guard!.Check(height, round, step, digest, out var reuse) is { } refusal)
        {
            _log.LogError("double-sign guard: {Reason}", refusal);
            return null;
        }
        return reuse ?? _key!.Sign(digest);
    }

    // Persist before send, batched: the record is appended and the guard advanced in memory, and the message waits in the
    // outbox until this step of the driver ends (Flush), so everything signed in one step leaves after one fsync.
    private void PersistAndSend(ulong height, int round, Step step, Hash32 digest, Signature signature, WalRecord record, ConsensusMessage message)
    {
        _wal.Append(record);
        _guard!.Record(height, round, step, digest, signature);
        _outbox.Add((height, message));
    }

    // The log (and every input before the signed messages) is fsynced, then the guard written, and only then do the
    // messages leave. A message whose height is already stored needs neither: the node never signs at a stored height
    // again, so nothing it signs later can conflict with it. (One validator decides a height within one step, so its
    // heights cost no fsync beyond the store's commit.) A crash before the flush loses only messages that never left.
    private void Flush()
    {
        if (_outbox.Count == 0) return;
        if (_outbox.Exists(o => o.Height > _app.Height))
        {
            _wal.Sync();
            _guard!.Persist();
        }
        foreach (var (height, message) in _outbox)
        {
            if (height == _core.Height) _own.Add(message);
            Signed?.Invoke(message);
            if (!_replaying) _network.Broadcast(message);
        }
        _outbox.Clear();
        SendEquivocations();
    }

    private void CommitDecision(Decide decide)
    {
        if (!_blocks.TryGetValue(decide.Value, out var decided))
        {
            _log.LogCritical("decided block {Value} of height {Height} is not held: cannot commit", decide.Value, decide.Height);
            return;
        }
        var block = decided.Clone();
        block.Commit = ConsensusCodec.ToCommit(decide.Height, decide.Round, decide.Value, decide.Precommits);
        if (_app.Height + 1 == decide.Height) _app.Commit(block); // else it was stored before a crash, and this is the replay
        Committed?.Invoke(block);
        StartNextHeight(decide.Height);
    }

    // A new segment for the height after `committed`, starting with the record that starts it.
    private void BeginHeight(ulong committed)
    {
        foreach (var timer in _pendingTimers) timer.Dispose();
        _pendingTimers.Clear();
        _own.Clear();
        foreach (var stale in _blocks.Where(b => b.Value.Header.Height <= committed).Select(b => b.Key).ToList()) _blocks.Remove(stale);
        foreach (var stale in _proposedIn.Keys.Where(k => k.Height <= committed).ToList()) _proposedIn.Remove(stale);
        var next = _app.ValidatorsAt(committed + 1);
        _wal.Begin(committed + 1);
        var start = new WalHeightStart { CommittedHeight = committed };
        start.Validators.AddRange(next.Validators.Select(v => new WalValidator
        {
            Address = Google.Protobuf.ByteString.CopyFrom(v.Address.Bytes), Power = v.Power, Priority = v.Priority,
        }));
        Enqueue(new BlockCommitted(committed, next), new WalRecord { Start = start });
        _wal.Prune();
        Drain();
    }
}
