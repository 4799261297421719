using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The imbalance part of an interval's settlement, in two passes over every meter of the interval (each meter with a
/// contract or a reading) in meter id order, one step per meter per pass: first each shortfall is bought from the POLR
/// (and the interval's energy totals are counted), then each surplus is sold to it. Imbalance = metered net export
/// (export − import; a missing reading is zero) − contracted net export, in Int128, so no reading or contract the
/// ledger admitted can overflow it; the interval's POLR band prices it (⌊Wh × price/kWh ÷ 1000⌋, saturating).
/// </summary>
internal static class ImbalanceSettler
{
    /// <summary>The shortfall pass: counts every meter and books its imbalance; charges each shortfall.</summary>
    public static void Shortfalls(SettlementRun run)
    {
        var book = run.Book;
        var record = run.Cursor.Interval;
        foreach (var (meter, position, reading) in Meters(run))
        {
            record.Meters++;
            if (reading is null) record.MissingReadings++;
            else record.Readings++;
            // The contracts' amounts reach the owner's line here, once per meter (see IntervalSettler).
            if (position is not null) position.PostTo(book.Line(position.Owner!.Value));
            Int128 imbalance = Metered(reading) - (position?.ContractedWh ?? 0);
            record.ImbalanceWh = Saturating.Add(record.ImbalanceWh, imbalance);
            if (imbalance == 0) continue;
            var owner = Owner(book, meter, position);
            var line = book.Line(owner);
            line.ImbalanceWh = Saturating.Add(line.ImbalanceWh, imbalance);
            if (imbalance > 0) continue;
            ulong wh = Saturating.ToUInt64(-imbalance);
            record.PolrSuppliedWh = Saturating.Add(record.PolrSuppliedWh, wh);
            if (owner == book.Utility) continue; // the POLR's own meters: energy counted, no money changes hands
            ulong charge = PolrPricing.Amount(wh, record.SellPerKwh);
            ulong debtBefore = line.DebtAdded;
            ulong paid = book.ChargeForPolr(owner, charge);
            line.ImbalanceCharge = Saturating.Add(line.ImbalanceCharge, charge);
            var utilityLine = book.Line(book.Utility);
            utilityLine.PolrIncome = Saturating.Add(utilityLine.PolrIncome, paid);
            record.PolrCharges = Saturating.Add(record.PolrCharges, charge);
            record.DebtAdded = Saturating.Add(record.DebtAdded, line.DebtAdded - debtBefore);
        }
    }

    /// <summary>The surplus pass: credits each surplus; a stored position is deleted once its meter is done.</summary>
    public static void Surpluses(SettlementRun run)
    {
        var book = run.Book;
        var record = run.Cursor.Interval;
        var settled = new List<string>();
        foreach (var (meter, position, reading) in Meters(run))
        {
            if (run.Cursor.PositionsStored && position is not null) settled.Add(meter);
            Int128 imbalance = Metered(reading) - (position?.ContractedWh ?? 0);
            if (imbalance <= 0) continue;
            ulong wh = Saturating.ToUInt64(imbalance);
            record.PolrAbsorbedWh = Saturating.Add(record.PolrAbsorbedWh, wh);
            var owner = Owner(book, meter, position);
            if (owner == book.Utility) continue;
            ulong credit = PolrPricing.Amount(wh, record.BuyPerKwh);
            var line = book.Line(owner);
            ulong receivableBefore = line.ReceivableAdded;
            ulong paid = book.CreditFromPolr(owner, credit);
            line.ImbalanceCredit = Saturating.Add(line.ImbalanceCredit, credit);
            var utilityLine = book.Line(book.Utility);
            utilityLine.PolrPaid = Saturating.Add(utilityLine.PolrPaid, paid);
            record.PolrCredits = Saturating.Add(record.PolrCredits, credit);
            record.ReceivableAdded = Saturating.Add(record.ReceivableAdded, line.ReceivableAdded - receivableBefore);
        }
        // After the walk: deleting under a scan of the same keys is not something to rely on.
        foreach (var meter in settled) run.Context.State.Delete(SettlementKeys.Position(meter));
    }

    /// <summary>
    /// The interval's meters from the cursor's resume point on, one step each, merging its readings (keys end in the
    /// meter id) with its contracted positions (in memory, or in state once the interval spans blocks); moves the resume
    /// point on and, when the walk is complete, the stage.
    /// </summary>
    private static IEnumerable<(string Meter, MeterPosition? Position, MeterReading? Reading)> Meters(SettlementRun run)
    {
        var cursor = run.Cursor;
        ulong interval = cursor.Interval.IntervalStart;
        string from = cursor.ResumeKey;
        string readingPrefix = StateKeys.Reading(interval, "");
        var readings = run.Context.State.Scan(readingPrefix, StateKeys.Reading(interval, from))
            .Select(kv => (Meter: kv.Key[readingPrefix.Length..], Value: kv.Value));
        var positions = cursor.PositionsStored ? MeterPositions.Stored(run.Context.State, from) : run.Positions.From(from);
        using var r = readings.GetEnumerator();
        using var p = positions.GetEnumerator();
        bool hasReading = r.MoveNext(), hasPosition = p.MoveNext();
        while (hasReading || hasPosition)
        {
            int order = !hasReading ? 1 : !hasPosition ? -1 : string.CompareOrdinal(r.Current.Meter, p.Current.Meter);
            string meter = order <= 0 ? r.Current.Meter : p.Current.Meter;
            if (!run.Step()) yield break;
            cursor.ResumeKey = meter + "\0";
            var reading = order <= 0 ? MeterReading.Parser.ParseFrom(r.Current.Value.AsSpan()) : null;
            var position = order >= 0 ? p.Current : null;
            yield return (meter, position, reading);
            if (order <= 0) hasReading = r.MoveNext();
            if (order >= 0) hasPosition = p.MoveNext();
        }
        IntervalSettler.Next(cursor, cursor.Stage == SettlementStage.IntervalShortfalls ? SettlementStage.IntervalSurpluses : SettlementStage.IntervalReceivables);
    }

    private static Int128 Metered(MeterReading? reading) => reading is null ? 0 : (Int128)reading.ExportWh - reading.ImportWh;

    /// <summary>A contract meter's owner is a party of its contracts; a meter that only reported is looked up.</summary>
    private static Address Owner(SettlementBook book, string meter, MeterPosition? position)
        => position?.Owner ?? Address.FromBytes((book.Context.Meter(meter)
            ?? throw new InvalidOperationException($"meter {meter} has a reading but is not registered")).Owner.Span);
}
