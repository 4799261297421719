using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Consensus.Application;

/// <summary>What a block of the next height must agree on with the committed chain before it is executed.</summary>
public sealed record BlockParent(ulong ChainId, ulong Height, Hash32 LastBlockHash, long LastBlockTimeMs, Core.ValidatorSet Validators, Hash32 NextValidatorSetHash);

/// <summary>
/// The checks of valid(v) that come before execution: every header field against the committed chain, the size limits,
/// and each transaction decoding and passing the stateless checks. Deterministic (no clock: how far a block's time may
/// lie ahead of the local clock is the driver's timeliness check, which only decides a prevote).
/// </summary>
public static class ProposalCheck
{
    /// <summary>
    /// The block's verified transactions, or why the block is invalid. <paramref name="verified"/> may hold what
    /// <paramref name="verifier"/> already made of some transactions, by id (the mempool's): those are not verified again.
    /// </summary>
    public static (IReadOnlyList<VerifiedTransaction>? Transactions, string? Problem) Check(Block block, BlockParent parent, TransactionVerifier verifier,
        Func<Hash32, VerifiedTransaction?>? verified = null)
    {
        if (block.Header is not { } h) return (null, "the block has no header");
        ulong height = parent.Height + 1;
        if (h.ChainId != parent.ChainId) return (null, $"chain id {h.ChainId} is not this chain's {parent.ChainId}");
        if (h.Height != height) return (null, $"height {h.Height} does not follow the last committed block {parent.Height}");
        if ((Field(h.PreviousHash, 32, "previous_hash") ?? Field(h.TransactionsRoot, 32, "transactions_root") ?? Field(h.AppHash, 32, "app_hash")
            ?? Field(h.Proposer, 20, "proposer") ?? Field(h.ValidatorSetHash, 32, "validator_set_hash") ?? Field(h.NextValidatorSetHash, 32, "next_validator_set_hash")) is { } width)
            return (null, width);
        if (Hash32.FromBytes(h.PreviousHash.Span) != parent.LastBlockHash)
            return (null, $"previous_hash {Hash32.FromBytes(h.PreviousHash.Span)} is not the last block's {parent.LastBlockHash}");
        // BFT time strictly increases (docs/consensus.md): expiry and gate closure compare against it.
        if (h.TimeMs <= parent.LastBlockTimeMs) return (null, $"time {h.TimeMs} ms is not after the parent's {parent.LastBlockTimeMs} ms");
        var proposer = Address.FromBytes(h.Proposer.Span);
        if (!parent.Validators.Contains(proposer)) return (null, $"proposer {proposer} is not a validator at height {height}");
        var setHash = ValidatorSetHash.Of(parent.Validators);
        if (Hash32.FromBytes(h.ValidatorSetHash.Span) != setHash)
            return (null, $"validator_set_hash {Hash32.FromBytes(h.ValidatorSetHash.Span)} is not the hash {setHash} of the set in force at height {height}");
        if (Hash32.FromBytes(h.NextValidatorSetHash.Span) != parent.NextValidatorSetHash)
            return (null, $"next_validator_set_hash {Hash32.FromBytes(h.NextValidatorSetHash.Span)} is not the hash {parent.NextValidatorSetHash} of the set in force at height {height + 1}");
        if (block.Transactions.Count > BlockLimits.MaxTransactions)
            return (null, $"the block holds {block.Transactions.Count} transactions, the limit is {BlockLimits.MaxTransactions}");
        long bytes = block.Transactions.Sum(t => (long)t.Length);
        if (bytes > BlockLimits.MaxTransactionBytes) return (null, $"the block holds {bytes} bytes of transactions, the limit is {BlockLimits.MaxTransactionBytes}");
        var transactions = new List<VerifiedTransaction>(block.Transactions.Count);
        for (int i = 0; i < block.Transactions.Count; i++)
        {
            var envelope = block.Transactions[i].Span;
            // Verification is a pure function of the bytes (and the verifier's chain id and size limit): the result kept
            // for the same id — keccak256 of the same bytes, compared byte for byte all the same — is the result this
            // would compute, so reusing it saves the signature recovery and cannot change whether the block is valid or
            // what it executes to (a node without it, cold from a restart, computes the same). Its bytes serve, so the
            // block's are copied only for a transaction verified here.
            if (verified is not null && TransactionId.Of(envelope) is var id && verified(id) is { } known && known.Id == id && known.Bytes.AsSpan().SequenceEqual(envelope))
            {
                transactions.Add(known);
                continue;
            }
            // A proposer takes transactions from its mempool, which admitted only those that pass these same checks:
            // one that does not is a proposer's fault, not a result to record.
            try { transactions.Add(verifier.Verify(envelope.ToArray())); }
            catch (LedgerRejection e) { return (null, $"transaction {i} fails the stateless checks: {e.Code} {e.Message}"); }
        }
        var root = MerkleRoot.Compute(transactions.Select(t => t.Id).ToList());
        if (Hash32.FromBytes(h.TransactionsRoot.Span) != root)
            return (null, $"transactions_root {Hash32.FromBytes(h.TransactionsRoot.Span)} is not the root {root} of the block's transactions");
        return (transactions, null);
    }

    private static string? Field(Google.Protobuf.ByteString value, int width, string name)
        => value.Length == width ? null : $"{name} must be {width} bytes, got {value.Length}";
}
