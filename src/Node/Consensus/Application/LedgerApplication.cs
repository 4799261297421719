using System.Diagnostics;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Consensus.Application;

/// <summary>
/// The ledger as consensus sees it (<see cref="IConsensusApplication"/>): proposals reaped from the mempool, valid(v) as
/// header checks plus execution on committed state, and a decided block's execution committed to the store with its
/// commit, then published. Executions of proposals are kept by block hash (bounded) and never published until their
/// block is stored. Called on the consensus thread only; <see cref="LastBlockTimeMs"/>, <see cref="Height"/> and
/// <see cref="Feed"/> may be read from any.
/// </summary>
public sealed class LedgerApplication : IConsensusApplication, IConsensusEngine
{
    /// <summary>Executions kept for blocks not yet decided: a height normally has one, a bad round a few more.</summary>
    public const int KeptExecutions = 8;

    private readonly BlockExecutor _executor;
    private readonly TransactionVerifier _verifier;
    private readonly ILedgerStore _store;
    private readonly Mempool _mempool;
    private readonly int _maxBlockTransactions;
    // Execution reads committed state through this cache; only this application commits.
    private readonly CommittedStateCache _state;
    private readonly ValidatorTimeline _validators;
    // Each with how long it took, for the block-execution metric (never part of an outcome).
    private readonly Dictionary<Hash32, (BlockExecution Execution, TimeSpan Took)> _executions = [];
    private readonly Queue<Hash32> _executionOrder = new();
    private long _lastBlockTimeMs;

    public LedgerApplication(BlockExecutor executor, TransactionVerifier verifier, ILedgerStore store, Mempool mempool, int maxBlockTransactions = 5000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBlockTransactions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBlockTransactions, BlockLimits.MaxTransactions);
        _executor = executor;
        _verifier = verifier;
        _store = store;
        _mempool = mempool;
        _maxBlockTransactions = maxBlockTransactions;
        _state = new CommittedStateCache(store, capacity: 250_000); // ~100 MB at most: RSS stays bounded however long the chain
        _validators = ValidatorTimeline.Replay(store, executor.Parameters, store.Height);
        _lastBlockTimeMs = store.GetBlock(store.Height)?.Header.TimeMs ?? executor.Parameters.GenesisTimeMs;
        Feed = new BlockFeed(store.Height);
    }

    public ulong Height => _store.Height;

    // Read without a lock: every mempool submission reads it for its expiry check.
    public long LastBlockTimeMs => Volatile.Read(ref _lastBlockTimeMs);

    public BlockFeed Feed { get; }

    public bool HasPendingTransactions => _mempool.Count > 0;

    public ValidatorSet ValidatorsAt(ulong height) => _validators.At(height);

    public Block BuildProposal(ulong height, long timeMs, Address proposer)
    {
        RequireNext(height);
        var parameters = _executor.Parameters;
        var transactions = _mempool.Reap(_maxBlockTransactions, BlockLimits.MaxTransactionBytes);
        long started = Stopwatch.GetTimestamp();
        var execution = _executor.Execute(_state, _store.AppHash, height, timeMs, transactions.Select(t => (t.Bytes, (VerifiedTransaction?)t)).ToList());
        var header = new BlockHeader
        {
            ChainId = parameters.ChainId, Height = height, TimeMs = timeMs,
            PreviousHash = ByteString.CopyFrom(_store.LastBlockHash.Bytes),
            TransactionsRoot = ByteString.CopyFrom(MerkleRoot.Compute(transactions.Select(t => t.Id).ToList()).Bytes),
            AppHash = ByteString.CopyFrom(execution.AppHash.Bytes),
            Proposer = ByteString.CopyFrom(proposer.Bytes),
            ValidatorSetHash = ByteString.CopyFrom(ValidatorSetHash.Of(_validators.At(height)).Bytes),
            NextValidatorSetHash = ByteString.CopyFrom(NextValidatorSetHash(height).Bytes),
        };
        var block = new Block { Header = header };
        block.Transactions.AddRange(transactions.Select(t => UnsafeByteOperations.UnsafeWrap(t.Bytes)));
        Keep(BlockHeaderHashing.Hash(header), execution, Stopwatch.GetElapsedTime(started));
        return block;
    }

    public ExecutionVerdict Execute(Block block)
    {
        Hash32 hash;
        try { hash = BlockHeaderHashing.Hash(block.Header ?? new BlockHeader()); }
        catch (FormatException e) { return Invalid(e.Message); }
        if (_executions.TryGetValue(hash, out var kept)) return new ExecutionVerdict(true, kept.Execution.AppHash, "");
        long started = Stopwatch.GetTimestamp();
        var (execution, problem) = ExecuteChecked(block);
        if (execution is null) return Invalid(problem!);
        if (problem is not null) return new ExecutionVerdict(false, execution.AppHash, problem);
        Keep(hash, execution, Stopwatch.GetElapsedTime(started));
        return new ExecutionVerdict(true, execution.AppHash, "");
    }

    public void Commit(Block block)
    {
        var header = block.Header;
        RequireNext(header.Height);
        var hash = BlockHeaderHashing.Hash(header);
        long started = Stopwatch.GetTimestamp();
        var (execution, executing) = _executions.Remove(hash, out var kept) ? kept : (null, TimeSpan.Zero);
        if (execution is null)
        {
            // Decided in a round whose proposal this node never executed (it caught up on a peer's commit, or restarted
            // after executing it): execute it now. More than 2/3 of the power signed it, so a block that does not
            // execute to its header means this node's state differs from theirs: storing it would fork the node.
            var (executed, problem) = ExecuteChecked(block);
            if (problem is not null)
                throw new InvalidOperationException($"decided block {header.Height} ({hash}) is invalid on this node: {problem}; its state differs from the validators' (run p2pe-node verify)");
            execution = executed!;
        }
        try { _store.Commit(block, hash, execution.Results, execution.Changes, execution.AppHash); }
        catch
        {
            _state.Clear();
            ForgetExecutions();
            throw;
        }
        _state.Apply(execution.Changes);
        // Only now may what the execution built (flow books) serve later blocks: had the commit failed, it would be gone.
        execution.Publish();
        ForgetExecutions(); // every other execution was of this height, on the state before it
        _validators.Advance(_store);
        Volatile.Write(ref _lastBlockTimeMs, header.TimeMs);
        _mempool.Remove(execution.Results.Select(r => Hash32.FromBytes(r.TransactionId.Span)));
        Feed.Publish(new CommittedBlock(block, hash, execution.Results) { Faults = execution.Faults, Took = executing + Stopwatch.GetElapsedTime(started) });
    }

    public Block? CommittedBlock(ulong height) => height >= 1 ? _store.GetBlock(height) : null;

    /// <summary>Drops what a failed commit may have left inconsistent (the host restarts consensus from its log after it).</summary>
    public void Reset()
    {
        _state.Clear();
        ForgetExecutions();
    }

    // The header checks, then the execution on committed state: (null, why) when the block is invalid before executing,
    // (execution, why) when it executes to another app hash than its header's, (execution, null) when valid.
    private (BlockExecution? Execution, string? Problem) ExecuteChecked(Block block)
    {
        var parent = new BlockParent(_executor.Parameters.ChainId, _store.Height, _store.LastBlockHash, LastBlockTimeMs,
            _validators.At(_store.Height + 1), NextValidatorSetHash(_store.Height + 1));
        // The mempool's verifications are reused when its verifier is this one (ProposalCheck says why that is safe).
        var (transactions, problem) = ProposalCheck.Check(block, parent, _verifier, ReferenceEquals(_mempool.Verifier, _verifier) ? _mempool.Find : null);
        if (transactions is null) return (null, problem);
        var header = block.Header;
        var execution = _executor.Execute(_state, _store.AppHash, header.Height, header.TimeMs, transactions.Select(t => (t.Bytes, (VerifiedTransaction?)t)).ToList());
        return Hash32.FromBytes(header.AppHash.Span) == execution.AppHash
            ? (execution, null)
            : (execution, $"the block executes to app hash {execution.AppHash}, its header says {Hash32.FromBytes(header.AppHash.Span)}");
    }

    // The set of height + 1 as committed state knows it at height − 1: a change for height + 1 was committed in block
    // height − 1 or earlier, so header H's next set is header H + 1's set.
    private Hash32 NextValidatorSetHash(ulong height) => ValidatorSetHash.Of(ValidatorSchedule.InForce(_store, _executor.Parameters, height + 1));

    private void Keep(Hash32 hash, BlockExecution execution, TimeSpan took)
    {
        if (_executions.ContainsKey(hash)) return;
        while (_executions.Count >= KeptExecutions && _executionOrder.TryDequeue(out var oldest)) _executions.Remove(oldest);
        _executions[hash] = (execution, took);
        _executionOrder.Enqueue(hash);
    }

    private void ForgetExecutions()
    {
        _executions.Clear();
        _executionOrder.Clear();
    }

    private void RequireNext(ulong height)
    {
        if (height != _store.Height + 1)
            throw new InvalidOperationException($"block {height} is not the next height; the store holds {_store.Height}");
    }

    private static ExecutionVerdict Invalid(string why) => new(false, Hash32.Zero, why);
}
