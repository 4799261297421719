using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The POLR standby fee: at each UTC day boundary every admitted participant pays the day's standby fee (the POLR tariff
/// in force at the boundary) to the utility; what the balance cannot cover becomes debt to the POLR, and the utility then
/// pays its receivables. One of the <see cref="ParticipantCharges"/>, walked as they are.
/// </summary>
internal static class PolrStandbyFee
{
    public const string StandbyKind = "Standby";

    public static void StartStandby(SettlementRun run, ulong dayStart)
    {
        if (FeeSchedule.PolrAt(run.Context.State, dayStart).StandbyPerDay == 0)
        {
            run.Cursor.StandbyDay = dayStart;
            return;
        }
        ParticipantCharges.Start(run, dayStart, StandbyKind, SettlementStage.StandbyParticipants);
    }

    /// <summary>Charges the day's standby fee to each participant; then the utility pays receivables; then the day is done.</summary>
    public static void Standby(SettlementRun run)
    {
        var book = run.Book;
        var cursor = run.Cursor;
        if (cursor.Stage == SettlementStage.StandbyParticipants)
        {
            ulong fee = FeeSchedule.PolrAt(run.Context.State, cursor.EventTime).StandbyPerDay;
            foreach (var address in ParticipantCharges.Participants(run, SettlementStage.StandbyReceivables))
            {
                ulong paid = book.ChargeForPolr(address, fee);
                var line = book.Line(address);
                line.StandbyFee = Saturating.Add(line.StandbyFee, fee);
                var utilityLine = book.Line(book.Utility);
                utilityLine.FeeIncome = Saturating.Add(utilityLine.FeeIncome, paid);
            }
            if (cursor.Stage == SettlementStage.StandbyParticipants) return;
        }
        string resume = cursor.ResumeKey;
        bool done = book.PayReceivables(ref resume, run.Left, run.Step);
        cursor.ResumeKey = resume;
        if (!done || !run.Step()) return;
        book.EndEvent();
        cursor.StandbyDay = cursor.EventTime;
        ParticipantCharges.Finish(cursor);
    }
}
