using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// One stretch of settlement inside a block: at most <see cref="Left"/> steps from the cursor as state holds it,
/// written into one overlay (so a run that throws is discarded whole). What an unfinished event needs in the next
/// block — its cursor, statement lines, the interval's positions — is written out by <see cref="Close"/>.
/// </summary>
internal sealed class SettlementRun
{
    public SettlementRun(LedgerContext context, int steps)
    {
        Context = context;
        Book = new SettlementBook(context);
        Cursor = SettlementRound.Cursor(context);
        Left = steps;
        // An event the cursor shows in progress began in an earlier run: its statement lines continue from state.
        switch (Cursor.Stage)
        {
            case SettlementStage.SettlementIdle: break;
            case SettlementStage.StandbyParticipants or SettlementStage.StandbyReceivables: Book.BeginEvent(Cursor.EventTime, PolrStandbyFee.StandbyKind, continued: true); break;
            case SettlementStage.SubscriptionParticipants: Book.BeginEvent(Cursor.EventTime, ParticipantCharges.SubscriptionKind, continued: true); break;
            default: Book.BeginEvent(Cursor.NextInterval, IntervalSettler.Kind, continued: true); break;
        }
    }

    public LedgerContext Context { get; }
    public SettlementBook Book { get; }
    public SettlementCursor Cursor { get; }
    /// <summary>Steps this run may still take.</summary>
    public int Left { get; set; }
    /// <summary>Steps taken so far.</summary>
    public int Taken { get; private set; }
    /// <summary>Contracted positions of the interval in progress gathered in this run (see <see cref="MeterPositions"/>).</summary>
    public MeterPositions Positions { get; } = new();

    /// <summary>Takes one step of the budget; false when none is left.</summary>
    public bool Step()
    {
        if (Left == 0) return false;
        Left--;
        Taken++;
        return true;
    }

    /// <summary>
    /// Writes what the run changed in memory: accounts, the lines of an unfinished event, positions, the cursor. A run
    /// that took no step (nothing was due) writes nothing.
    /// </summary>
    public void Close()
    {
        if (Taken == 0) return;
        var stage = Cursor.Stage;
        if (stage is SettlementStage.IntervalContracts or SettlementStage.IntervalShortfalls or SettlementStage.IntervalSurpluses)
        {
            // The interval goes on in another run: what this run gathered must be in state for it (in the surplus pass,
            // only what is still to settle).
            Positions.Store(Context.State, stage == SettlementStage.IntervalSurpluses ? Cursor.ResumeKey : "");
            Cursor.PositionsStored = true;
        }
        if (stage != SettlementStage.SettlementIdle) Book.EndEvent();
        Book.Flush();
        Context.State.Set(Ledger.State.SettlementKeys.Cursor, Google.Protobuf.MessageExtensions.ToByteArray(Cursor));
    }
}
