using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// Flat charges per admitted participant: the POLR standby fee (<see cref="PolrStandbyFee"/>) at each UTC day boundary (to the utility; what the
/// balance cannot cover becomes debt to the POLR, as an imbalance charge would) and the optional DMO subscription
/// at each UTC month boundary (to the market operator; what the balance cannot cover is written off and recorded,
/// because debt on this ledger is owed to the POLR and a later deposit pays the utility, not the DMO).
/// Rates are those in force at the boundary, so a fee change effective from that instant already applies. Accounts
/// are walked in address order, one step each, resuming in the next block where the step budget ran out; a boundary
/// whose fee is zero costs one step.
/// </summary>
internal static class ParticipantCharges
{
    public const string SubscriptionKind = "Subscription";

    public static void StartSubscription(SettlementRun run, ulong monthStart)
    {
        if (FeeSchedule.DmoAt(run.Context.State, monthStart).SubscriptionPerMonth == 0)
        {
            run.Cursor.SubscriptionMonth = monthStart;
            return;
        }
        Start(run, monthStart, SubscriptionKind, SettlementStage.SubscriptionParticipants);
    }

    internal static void Start(SettlementRun run, ulong time, string kind, SettlementStage stage)
    {
        run.Cursor.EventTime = time;
        IntervalSettler.Next(run.Cursor, stage);
        run.Book.BeginEvent(time, kind);
    }

    /// <summary>Charges the month's subscription to each participant as far as its balance goes; then the month is done.</summary>
    public static void Subscription(SettlementRun run)
    {
        var book = run.Book;
        var cursor = run.Cursor;
        ulong fee = FeeSchedule.DmoAt(run.Context.State, cursor.EventTime).SubscriptionPerMonth;
        var dmo = book.Account(book.MarketOperator);
        foreach (var address in Participants(run, SettlementStage.SettlementIdle))
        {
            var account = book.Account(address);
            ulong paid = Math.Min(account.Balance, fee);
            account.Balance -= paid;
            dmo.Balance = checked(dmo.Balance + paid);
            var line = book.Line(address);
            line.SubscriptionFee = Saturating.Add(line.SubscriptionFee, paid);
            line.Uncollected = Saturating.Add(line.Uncollected, fee - paid);
            var dmoLine = book.Line(book.MarketOperator);
            dmoLine.FeeIncome = Saturating.Add(dmoLine.FeeIncome, paid);
        }
        if (cursor.Stage == SettlementStage.SubscriptionParticipants) return;
        book.EndEvent();
        cursor.SubscriptionMonth = cursor.EventTime;
        Finish(cursor);
    }

    /// <summary>Ends the standby or subscription event in progress (done, or abandoned after a failure).</summary>
    public static void Finish(SettlementCursor cursor)
    {
        cursor.EventTime = 0;
        IntervalSettler.Next(cursor, SettlementStage.SettlementIdle);
    }

    /// <summary>
    /// Admitted participants (suspended ones included: suspension stops trading, not the connection), in address order,
    /// from the cursor's resume point, one step per account read; when the walk is complete, the stage moves to
    /// <paramref name="next"/>.
    /// </summary>
    internal static IEnumerable<Address> Participants(SettlementRun run, SettlementStage next)
    {
        var cursor = run.Cursor;
        foreach (var (key, value) in run.Context.State.Scan(StateKeys.AccountPrefix, cursor.ResumeKey))
        {
            if (!run.Step()) yield break;
            cursor.ResumeKey = key + "\0";
            var stored = AccountState.Parser.ParseFrom(value.AsSpan());
            if (stored.Admitted && Roles.IsParticipantRole(stored.Role)) yield return Address.FromBytes(stored.Address.Span);
        }
        IntervalSettler.Next(cursor, next);
    }
}
