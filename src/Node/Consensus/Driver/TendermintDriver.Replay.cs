using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Wal;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;

namespace P2PEnergy.Node.Consensus.Driver;

// Restart is a replay: the log of the current height holds every input in the order the machine saw it (this node's
// own signed messages included, logged where they were fed back), so feeding it again rebuilds the same state. Signing
// during the replay reuses the logged signatures; a signature the log lacks (the crash came before its record was
// synced, so it never left) is made afresh under the guard.
public sealed partial class TendermintDriver
{
    private Dictionary<(ulong Height, int Round, Step Step), ConsensusMessage>? _logged;

    private void Replay(IReadOnlyList<WalRecord> records)
    {
        _logged = [];
        var inputs = new List<ConsensusInput>(records.Count);
        long position = 0;
        foreach (var record in records)
        {
            try { inputs.Add(ToInput(record)); }
            catch (ConsensusMessageException e)
            {
                throw new WalException(ConsensusWal.SegmentName(_wal.Height), position, $"record {position} ({record.EntryCase}) is not a valid consensus message: {e.Message}");
            }
            position++;
        }
        _log.LogInformation("replaying {Count} consensus WAL records of height {Height}", inputs.Count, _wal.Height);
        _replaying = true;
        try
        {
            // All queued at once: inputs that effects queue during the replay land after the logged ones, as they did.
            foreach (var input in inputs) _queue.Enqueue(input);
            Drain();
        }
        finally
        {
            _replaying = false;
            _logged = null;
        }
        _queue.Enqueue(new Resumed());
        Drain();
    }

    private ConsensusMessage? FromLog(ulong height, int round, Step step)
        => _logged is not null && _logged.TryGetValue((height, round, step), out var message) ? message : null;

    private ConsensusInput ToInput(WalRecord record)
    {
        ulong chain = _options.ChainId;
        switch (record.EntryCase)
        {
            case WalRecord.EntryOneofCase.Start:
                var validators = record.Start.Validators.Select(v => new Validator(Address.FromBytes(v.Address.Span), v.Power, v.Priority));
                return new BlockCommitted(record.Start.CommittedHeight, ValidatorSet.WithPriorities(validators));
            case WalRecord.EntryOneofCase.Proposal:
                var (proposal, block) = ConsensusCodec.ReadProposal(record.Proposal.Message, chain, recover: null);
                _blocks[proposal.Proposal.Value] = block;
                return new ProposalReceived(proposal, record.Proposal.Timely);
            case WalRecord.EntryOneofCase.OwnProposal:
                var (own, ownBlock) = ConsensusCodec.ReadProposal(record.OwnProposal, chain, recover: null);
                _blocks[own.Proposal.Value] = ownBlock;
                Remember(own.Proposal.Height, own.Proposal.Round, Step.Propose, new ConsensusMessage { Proposal = record.OwnProposal });
                return new ProposalReceived(own, Timely: true);
            case WalRecord.EntryOneofCase.Vote:
                return new VoteReceived(ConsensusCodec.ReadVote(record.Vote, chain, recover: null));
            case WalRecord.EntryOneofCase.OwnVote:
                var vote = ConsensusCodec.ReadVote(record.OwnVote, chain, recover: null);
                Remember(vote.Vote.Height, vote.Vote.Round, vote.Vote.Type == VoteType.Prevote ? Step.Prevote : Step.Precommit, new ConsensusMessage { Vote = record.OwnVote });
                return new VoteReceived(vote);
            case WalRecord.EntryOneofCase.Timeout:
                var t = record.Timeout;
                if (t.Step is < 1 or > 3 || t.Round > int.MaxValue) throw new ConsensusMessageException($"timeout step {t.Step} round {t.Round} is out of range");
                return new TimeoutFired(new Timeout(t.Height, (int)t.Round, (Step)t.Step));
            case WalRecord.EntryOneofCase.Executed:
                var e = record.Executed;
                return new ProposalExecuted(e.Height, Hash(e.BlockHash), e.Valid, Hash(e.AppHash));
            case WalRecord.EntryOneofCase.Built:
                var built = record.Built.Block ?? throw new ConsensusMessageException("built record has no block");
                var hash = Contracts.Ledger.BlockHeaderHashing.Hash(built.Header);
                _blocks[hash] = built;
                return new ValueBuilt(record.Built.Height, (int)record.Built.Round, hash);
            case WalRecord.EntryOneofCase.Commit:
                var (round, value, precommits) = ConsensusCodec.ReadCommit(record.Commit, chain, recover: null);
                var decided = record.Commit.Clone();
                decided.Commit = null;
                _blocks[value] = decided;
                return new CommitReceived(record.Commit.Header.Height, round, value, precommits);
            default:
                throw new ConsensusMessageException($"unknown record {record.EntryCase}");
        }
    }

    private void Remember(ulong height, int round, Step step, ConsensusMessage message)
    {
        _logged![(height, round, step)] = message;
        _own.Add(message);
    }

    private static Hash32 Hash(Google.Protobuf.ByteString bytes)
        => bytes.Length == 32 ? Hash32.FromBytes(bytes.Span) : throw new ConsensusMessageException($"a logged hash is {bytes.Length} bytes, not 32");
}
