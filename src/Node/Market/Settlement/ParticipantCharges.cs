using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// Flat charges per admitted participant: the POLR standby fee at each UTC day boundary (to the utility; what the
/// balance cannot cover becomes debt to the POLR, as an imbalance charge would) and the optional DMO subscription
/// at each UTC month boundary (to the market operator; what the balance cannot cover is written off and recorded,
/// because debt on this ledger is owed to the POLR and a later deposit pays the utility, not the DMO).
/// Rates are those in force at the boundary, so a fee change effective from that instant already applies.
/// </summary>
internal static class ParticipantCharges
{
    public const string StandbyKind = "Standby";
    public const string SubscriptionKind = "Subscription";

    public static void Standby(SettlementBook book, ulong dayStart)
    {
        ulong fee = FeeSchedule.PolrAt(book.Context.State, dayStart).StandbyPerDay;
        if (fee == 0) return;
        book.BeginEvent(dayStart, StandbyKind);
        foreach (var address in Participants(book))
        {
            ulong paid = book.ChargeForPolr(address, fee);
            book.Line(address).StandbyFee += fee;
            book.Line(book.Utility).FeeIncome += paid;
        }
        book.PayReceivables();
        book.EndEvent();
    }

    public static void Subscription(SettlementBook book, ulong monthStart)
    {
        ulong fee = FeeSchedule.DmoAt(book.Context.State, monthStart).SubscriptionPerMonth;
        if (fee == 0) return;
        book.BeginEvent(monthStart, SubscriptionKind);
        var dmo = book.Account(book.MarketOperator);
        foreach (var address in Participants(book))
        {
            var account = book.Account(address);
            ulong paid = Math.Min(account.Balance, fee);
            account.Balance -= paid;
            dmo.Balance = checked(dmo.Balance + paid);
            var line = book.Line(address);
            line.SubscriptionFee += paid;
            line.Uncollected += fee - paid;
            book.Line(book.MarketOperator).FeeIncome += paid;
        }
        book.EndEvent();
    }

    /// <summary>Admitted participants (suspended ones included: suspension stops trading, not the connection), in address order.</summary>
    private static List<Address> Participants(SettlementBook book)
    {
        var result = new List<Address>();
        foreach (var (_, value) in book.Context.State.Scan(StateKeys.AccountPrefix))
        {
            var stored = AccountState.Parser.ParseFrom(value.AsSpan());
            if (stored.Admitted && Roles.IsParticipantRole(stored.Role)) result.Add(Address.FromBytes(stored.Address.Span));
        }
        return result;
    }
}
