using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus.Validators;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// Consensus with one validator: it proposes, and its own signature on the EIP-712 CommitVote (a precommit) is the whole
/// commit (a quorum of one). Stands in for the BFT engine until multi-node lands; headers and commits already
/// have the BFT shape, so stored chains stay valid when it does.
/// </summary>
public sealed class SingleValidatorEngine : IConsensusEngine
{
    private readonly BlockExecutor _executor;
    private readonly ILedgerStore _store;
    private readonly Mempool _mempool;
    private readonly PrivateKey _validator;
    private readonly TimeProvider _clock;
    private readonly long _heartbeatMs;
    private readonly int _maxBlockTransactions;
    private readonly long _maxBlockBytes;
    private readonly object _gate = new();
    private long _lastBlockTimeMs;
    // Execution reads committed state through this cache; only this engine commits, under _gate.
    private readonly CommittedStateCache _state;

    public SingleValidatorEngine(BlockExecutor executor, ILedgerStore store, Mempool mempool, PrivateKey validator, TimeProvider clock,
        long heartbeatMs = 1000, int maxBlockTransactions = 5000, long maxBlockBytes = 16L * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heartbeatMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlockTransactions);
        var parameters = executor.Parameters;
        if (parameters.Validators.Count != 1 || parameters.Validators[0].Address != validator.Address)
            throw new ArgumentException($"the single-validator engine needs a genesis whose only validator is {validator.Address}; it lists {string.Join(", ", parameters.Validators.Select(v => v.Address))}", nameof(validator));
        _executor = executor;
        _store = store;
        _mempool = mempool;
        _validator = validator;
        _clock = clock;
        _heartbeatMs = heartbeatMs;
        _maxBlockTransactions = maxBlockTransactions;
        _maxBlockBytes = maxBlockBytes;
        _state = new CommittedStateCache(store, capacity: 250_000); // ~100 MB at most: RSS stays bounded however long the chain
        _lastBlockTimeMs = store.GetBlock(store.Height)?.Header.TimeMs ?? parameters.GenesisTimeMs;
        Feed = new BlockFeed(store.Height);
    }

    public ulong Height => _store.Height;
    // Read without the gate: the gate is held for a whole block execution and commit, and every mempool
    // submission reads this for its expiry check — locking here stalled all submitters once per block.
    public long LastBlockTimeMs => Volatile.Read(ref _lastBlockTimeMs);
    public BlockFeed Feed { get; }

    public TimeSpan UntilDue()
    {
        lock (_gate) return TimeSpan.FromMilliseconds(ProposalSchedule.UntilHeartbeat(_clock.GetUtcNow().ToUnixTimeMilliseconds(), _lastBlockTimeMs, _heartbeatMs));
    }

    public CommittedBlock? TryCommit()
    {
        CommittedBlock committed;
        lock (_gate)
        {
            long now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (!ProposalSchedule.IsDue(_mempool.Count, now, _lastBlockTimeMs, _heartbeatMs)) return null;
            committed = Commit(ProposalSchedule.NextBlockTime(now, _lastBlockTimeMs), _mempool.Reap(_maxBlockTransactions, _maxBlockBytes));
            Volatile.Write(ref _lastBlockTimeMs, committed.Block.Header.TimeMs);
        }
        _mempool.Remove(committed.Results.Select(r => Hash32.FromBytes(r.TransactionId.Span)));
        Feed.Publish(committed);
        return committed;
    }

    private CommittedBlock Commit(long timeMs, IReadOnlyList<VerifiedTransaction> transactions)
    {
        var parameters = _executor.Parameters;
        ulong height = _store.Height + 1;
        var execution = _executor.Execute(_state, _store.AppHash, height, timeMs, transactions.Select(t => (t.Bytes, (VerifiedTransaction?)t)).ToList());
        var header = new BlockHeader
        {
            ChainId = parameters.ChainId, Height = height, TimeMs = timeMs,
            PreviousHash = ByteString.CopyFrom(_store.LastBlockHash.Bytes),
            TransactionsRoot = ByteString.CopyFrom(MerkleRoot.Compute(transactions.Select(t => t.Id).ToList()).Bytes),
            AppHash = ByteString.CopyFrom(execution.AppHash.Bytes),
            Proposer = ByteString.CopyFrom(_validator.Address.Bytes),
            // Both from the schedule in committed state (a set committed at H - 1 or earlier is already there), so header
            // H's next set is header H + 1's set and the EVM anchor can follow a change signed by the old set.
            ValidatorSetHash = ByteString.CopyFrom(ValidatorSetHash.Of(ValidatorSchedule.InForce(_store, parameters, height)).Bytes),
            NextValidatorSetHash = ByteString.CopyFrom(ValidatorSetHash.Of(ValidatorSchedule.InForce(_store, parameters, height + 1)).Bytes),
        };
        var hash = BlockHeaderHashing.Hash(header);
        var vote = new CommitVote { Height = height, Round = 0, BlockHash = ByteString.CopyFrom(hash.Bytes), VoteType = VoteType.Precommit };
        var signature = _validator.Sign(LedgerTypedData.Digest(vote, parameters.ChainId));
        var block = new Block
        {
            Header = header,
            Commit = new BlockCommit
            {
                Height = height, Round = 0, BlockHash = vote.BlockHash,
                Signatures = { new CommitSignature { Validator = header.Proposer, Signature = ByteString.CopyFrom(signature.Bytes) } },
            },
        };
        block.Transactions.AddRange(transactions.Select(t => ByteString.CopyFrom(t.Bytes)));
        try { _store.Commit(block, hash, execution.Results, execution.Changes, execution.AppHash); }
        catch
        {
            _state.Clear();
            throw;
        }
        _state.Apply(execution.Changes);
        // Only now may what the execution built (flow books) serve later blocks: had the commit failed, it would be gone.
        execution.Publish();
        return new CommittedBlock(block, hash, execution.Results) { Faults = execution.Faults };
    }
}
