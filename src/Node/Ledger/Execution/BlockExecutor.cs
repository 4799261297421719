using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution.Handlers;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>
/// The outcome of executing one block: a result per transaction, the sorted state changes, the new app hash, and the
/// unexpected exceptions execution absorbed (for the host to log). What the execution learnt for later blocks (flow
/// books) stays with it until <see cref="Publish"/>.
/// </summary>
public sealed record BlockExecution(IReadOnlyList<TransactionResult> Results, IReadOnlyList<StateChange> Changes, Hash32 AppHash, IReadOnlyList<ExecutionFault> Faults)
{
    internal IGridBlock? Grid { get; init; }

    /// <summary>
    /// Makes the caches this execution built visible to later executions. Call once the block is committed (stored);
    /// a block that is not committed is simply dropped, and then no later outcome can depend on it.
    /// </summary>
    public void Publish() => Grid?.Publish();
}

/// <summary>
/// The one state transition function (DESIGN.md rule 3): Apply(state, block) → (state', results, appHash).
/// Pure: it reads committed state, the block's height and BFT time, and nothing else. Each transaction runs in
/// its own overlay, merged only on success, so a rejection leaves no partial writes.
/// </summary>
public sealed class BlockExecutor
{
    private readonly ChainParameters _parameters;
    private readonly TransactionVerifier _verifier;
    private readonly IGridAdmission _grid;

    public BlockExecutor(ChainParameters parameters, TransactionVerifier verifier, IGridAdmission grid)
    {
        _parameters = parameters;
        _verifier = verifier;
        _grid = grid;
    }

    public ChainParameters Parameters => _parameters;

    /// <summary>
    /// Executes <paramref name="transactions"/> in order. Each item carries its stored bytes and, when the mempool
    /// already verified it, the verification (signature recovery is the costly part and its result never changes).
    /// Exceptions that say this node is broken (<see cref="ExecutionFault.IsFatal"/>) propagate: no block results.
    /// </summary>
    public BlockExecution Execute(IStateReader committed, Hash32 previousAppHash, ulong height, long timeMs,
        IReadOnlyList<(byte[] Bytes, VerifiedTransaction? Verified)> transactions)
    {
        var faults = new List<ExecutionFault>();
        // Settlement is part of the state transition (DESIGN.md rule 3): what is due by this block's time settles first,
        // within the block's step budget; the block's transactions run on top of what it wrote.
        var block = SettlementRound.Run(_parameters, new GuardedState(committed), height, timeMs, faults);
        // Then the nonce index's bounded sweep (NonceIndex.SweepBudget entries, beside settlement's step budget).
        NonceIndex.Sweep(new LedgerContext(_parameters, block, height, timeMs));
        SnapshotCertification.RecordSnapshotHeight(new LedgerContext(_parameters, block, height, timeMs));
        var grid = _grid.BeginBlock();
        var contracts = new ContractAdmission(grid);
        var results = new List<TransactionResult>(transactions.Count);
        // Each transaction writes in this overlay, merged into the block's on success and discarded on failure.
        var scratch = new StateOverlay(block);
        for (int position = 0; position < transactions.Count; position++)
        {
            var (bytes, cached) = transactions[position];
            var id = cached?.Id ?? Contracts.Ledger.TransactionId.Of(bytes);
            var result = new TransactionResult { TransactionId = ByteString.CopyFrom(id.Bytes), Code = ReasonCodes.Ok };
            // What a failure is attributed to, in the deterministic message: the verification (tx still null), then the
            // kind's handler; formatted only when something fails, not for every transaction.
            VerifiedTransaction? tx = null;
            try
            {
                tx = cached ?? _verifier.Verify(bytes);
                result.PayloadId = ByteString.CopyFrom(tx.PayloadId.Bytes);
                Apply(contracts, new LedgerContext(_parameters, scratch, height, timeMs, position), tx);
                scratch.MergeInto(block);
            }
            catch (LedgerRejection rejection)
            {
                scratch.Discard();
                result.Code = rejection.Code;
                result.Message = rejection.Message;
            }
            catch (Exception e) when (!ExecutionFault.IsFatal(e))
            {
                // A bug in a handler must not halt the chain (the next proposal would hold the same transaction): this
                // transaction alone is refused, deterministically, and its writes are dropped with its overlay. An
                // OverflowException lands here too: every range a transaction can exceed (amounts, times, flows,
                // voltages) is refused where it is computed, naming the value and the limit, so one that still throws is
                // a missing check — logged with its stack, not dressed up as bad input.
                scratch.Discard();
                result.Code = ReasonCodes.ExecutionFailed;
                result.Message = ExecutionFault.Describe(tx is null ? "transaction verification" : $"{tx.Envelope.BodyCase} handler", e);
                faults.Add(new ExecutionFault(height, position, id, "transaction", e));
            }
            results.Add(result);
        }
        var changes = block.Changes();
        return new BlockExecution(results, changes, AppHash.Next(previousAppHash, changes, results), faults) { Grid = grid };
    }

    private static void Apply(ContractAdmission contracts, LedgerContext context, VerifiedTransaction tx)
    {
        // Who may sign is checked first, with the same rules the mempool applied at the door (SignerRules).
        var parties = SignerRules.Require(context, tx);
        NonceIndex.Use(context, tx);
        var e = tx.Envelope;
        switch (e.BodyCase)
        {
            case Transaction.BodyOneofCase.EnergyContract: contracts.EnergyContract(context, tx, e.EnergyContract, parties); break;
            case Transaction.BodyOneofCase.Offer: contracts.Offer(context, tx, e.Offer); break;
            case Transaction.BodyOneofCase.Take: contracts.Take(context, tx, e.Take); break;
            case Transaction.BodyOneofCase.CancelOffer: contracts.CancelOffer(context, tx, e.CancelOffer); break;
            case Transaction.BodyOneofCase.MeterReading: Metering.MeterReading(context, tx, e.MeterReading); break;
            case Transaction.BodyOneofCase.Admit: Membership.Admit(context, tx, e.Admit); break;
            case Transaction.BodyOneofCase.Suspend: Membership.Suspend(context, tx, e.Suspend); break;
            case Transaction.BodyOneofCase.RegisterMeter: Metering.RegisterMeter(context, tx, e.RegisterMeter); break;
            case Transaction.BodyOneofCase.Delegate: Membership.Delegate(context, tx, e.Delegate); break;
            case Transaction.BodyOneofCase.Deposit: Funds.Deposit(context, tx, e.Deposit); break;
            case Transaction.BodyOneofCase.Withdraw: Funds.Withdraw(context, tx, e.Withdraw); break;
            case Transaction.BodyOneofCase.SetDmoFees: FeeAndGridGovernance.SetDmoFees(context, tx, e.SetDmoFees); break;
            case Transaction.BodyOneofCase.SetGridFees: FeeAndGridGovernance.SetGridFees(context, tx, e.SetGridFees); break;
            case Transaction.BodyOneofCase.SetPolrTariff: FeeAndGridGovernance.SetPolrTariff(context, tx, e.SetPolrTariff); break;
            case Transaction.BodyOneofCase.SetBaseline: FeeAndGridGovernance.SetBaseline(context, tx, e.SetBaseline); break;
            case Transaction.BodyOneofCase.UpdateGridModel: FeeAndGridGovernance.UpdateGridModel(context, tx, e.UpdateGridModel); break;
            case Transaction.BodyOneofCase.SetValidatorSet: ValidatorSetChanges.SetValidatorSet(context, tx, e.SetValidatorSet); break;
            case Transaction.BodyOneofCase.AttestStateRoot: SnapshotCertification.AttestStateRoot(context, tx, e.AttestStateRoot); break;
            case Transaction.BodyOneofCase.Evidence: EquivocationEvidence.Evidence(context, tx, e.Evidence); break;
            default: throw new LedgerRejection(ReasonCodes.Malformed, $"unknown transaction body {e.BodyCase}");
        }
    }
}
