using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution.Handlers;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>The outcome of executing one block: a result per transaction, the sorted state changes, the new app hash.</summary>
public sealed record BlockExecution(IReadOnlyList<TransactionResult> Results, IReadOnlyList<StateChange> Changes, Hash32 AppHash);

/// <summary>
/// The one state transition function (DESIGN.md rule 3): Apply(state, block) → (state', results, appHash).
/// Pure: it reads committed state, the block's height and BFT time, and nothing else. Each transaction runs in
/// its own overlay, merged only on success, so a rejection leaves no partial writes.
/// </summary>
public sealed class BlockExecutor
{
    private readonly ChainParameters _parameters;
    private readonly TransactionVerifier _verifier;
    private readonly ContractHandlers _contracts;

    public BlockExecutor(ChainParameters parameters, TransactionVerifier verifier, IGridAdmission grid)
    {
        _parameters = parameters;
        _verifier = verifier;
        _contracts = new ContractHandlers(grid);
    }

    public ChainParameters Parameters => _parameters;

    /// <summary>
    /// Executes <paramref name="transactions"/> in order. Each item carries its stored bytes and, when the mempool
    /// already verified it, the verification (signature recovery is the costly part and its result never changes).
    /// </summary>
    public BlockExecution Execute(IStateReader committed, Hash32 previousAppHash, ulong height, long timeMs,
        IReadOnlyList<(byte[] Bytes, VerifiedTransaction? Verified)> transactions)
    {
        var block = new StateOverlay(committed);
        // Settlement is part of the state transition (DESIGN.md rule 3): what is due by this block's time settles first.
        SettlementRound.Run(new LedgerContext(_parameters, block, height, timeMs));
        NonceIndex.Sweep(new LedgerContext(_parameters, block, height, timeMs));
        SnapshotHandlers.RecordSnapshotHeight(new LedgerContext(_parameters, block, height, timeMs));
        var results = new List<TransactionResult>(transactions.Count);
        for (int position = 0; position < transactions.Count; position++)
        {
            var (bytes, cached) = transactions[position];
            var id = cached?.Id ?? Contracts.Ledger.TransactionId.Of(bytes);
            var result = new TransactionResult { TransactionId = ByteString.CopyFrom(id.Bytes), Code = ReasonCodes.Ok };
            var scratch = new StateOverlay(block);
            try
            {
                var tx = cached ?? _verifier.Verify(bytes);
                result.PayloadId = ByteString.CopyFrom(tx.PayloadId.Bytes);
                Apply(new LedgerContext(_parameters, scratch, height, timeMs, position), tx);
                scratch.MergeInto(block);
            }
            catch (LedgerRejection rejection)
            {
                result.Code = rejection.Code;
                result.Message = rejection.Message;
            }
            catch (OverflowException)
            {
                result.Code = ReasonCodes.InvalidArgument;
                result.Message = "an amount overflows the ledger's 64-bit micro-unit range";
            }
            results.Add(result);
        }
        var changes = block.Changes();
        return new BlockExecution(results, changes, AppHash.Next(previousAppHash, changes));
    }

    private void Apply(LedgerContext context, VerifiedTransaction tx)
    {
        // Who may sign is checked first, with the same rules the mempool applied at the door (SignerRules).
        SignerRules.Require(context, tx);
        NonceIndex.Use(context, tx);
        var e = tx.Envelope;
        switch (e.BodyCase)
        {
            case Transaction.BodyOneofCase.EnergyContract: _contracts.EnergyContract(context, tx, e.EnergyContract); break;
            case Transaction.BodyOneofCase.Offer: _contracts.Offer(context, tx, e.Offer); break;
            case Transaction.BodyOneofCase.Take: _contracts.Take(context, tx, e.Take); break;
            case Transaction.BodyOneofCase.CancelOffer: _contracts.CancelOffer(context, tx, e.CancelOffer); break;
            case Transaction.BodyOneofCase.MeterReading: MeterHandlers.MeterReading(context, tx, e.MeterReading); break;
            case Transaction.BodyOneofCase.Admit: ParticipantHandlers.Admit(context, tx, e.Admit); break;
            case Transaction.BodyOneofCase.Suspend: ParticipantHandlers.Suspend(context, tx, e.Suspend); break;
            case Transaction.BodyOneofCase.RegisterMeter: MeterHandlers.RegisterMeter(context, tx, e.RegisterMeter); break;
            case Transaction.BodyOneofCase.Delegate: ParticipantHandlers.Delegate(context, tx, e.Delegate); break;
            case Transaction.BodyOneofCase.Deposit: FundsHandlers.Deposit(context, tx, e.Deposit); break;
            case Transaction.BodyOneofCase.Withdraw: FundsHandlers.Withdraw(context, tx, e.Withdraw); break;
            case Transaction.BodyOneofCase.SetDmoFees: GovernanceHandlers.SetDmoFees(context, tx, e.SetDmoFees); break;
            case Transaction.BodyOneofCase.SetGridFees: GovernanceHandlers.SetGridFees(context, tx, e.SetGridFees); break;
            case Transaction.BodyOneofCase.SetPolrTariff: GovernanceHandlers.SetPolrTariff(context, tx, e.SetPolrTariff); break;
            case Transaction.BodyOneofCase.SetBaseline: GovernanceHandlers.SetBaseline(context, tx, e.SetBaseline); break;
            case Transaction.BodyOneofCase.UpdateGridModel: GovernanceHandlers.UpdateGridModel(context, tx, e.UpdateGridModel); break;
            case Transaction.BodyOneofCase.SetValidatorSet: ValidatorHandlers.SetValidatorSet(context, tx, e.SetValidatorSet); break;
            case Transaction.BodyOneofCase.AttestStateRoot: SnapshotHandlers.AttestStateRoot(context, tx, e.AttestStateRoot); break;
            default: throw new LedgerRejection(ReasonCodes.Malformed, $"unknown transaction body {e.BodyCase}");
        }
    }
}
