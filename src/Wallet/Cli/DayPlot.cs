using System.Globalization;
using System.Text;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// A participant's day from its statement (<c>account statement --plot</c>): per settled interval the contracted and
/// the metered net export (metered = contracted + imbalance), and the money flows — contract payments, fees and the
/// POLR's imbalance charges and credits. Drawn with Spectre.Console bar charts, and the same series as CSV.
/// </summary>
internal sealed class DayPlot
{
    /// <summary>One settled interval: energy in Wh (+ export, − import), money in micros (+ in, − out).</summary>
    public sealed record Point(ulong Time, long ContractedWh, long MeteredWh, long ImbalanceWh, Int128 Contract, Int128 Fees, Int128 Polr);

    private readonly Currency _currency;

    public DayPlot(Statement statement, Currency currency)
    {
        _currency = currency;
        var contracted = statement.ContractLines.GroupBy(l => l.Time)
            .ToDictionary(g => g.Key, g => g.Sum(l => l.Sell ? (long)l.Wh : -(long)l.Wh));
        Points = [.. statement.Lines.Where(l => l.Kind == "Interval").OrderBy(l => l.Time).Select(l =>
        {
            long planned = contracted.GetValueOrDefault(l.Time);
            return new Point(l.Time, planned, planned + l.ImbalanceWh, l.ImbalanceWh, (Int128)l.ContractReceived - l.ContractPaid,
                -((Int128)l.DmoFeePaid + l.GridFeePaid), (Int128)l.ImbalanceCredit - l.ImbalanceCharge);
        })];
        foreach (var l in statement.Lines)
        {
            ContractIn += l.ContractReceived;
            ContractOut += l.ContractPaid;
            Fees += (Int128)l.DmoFeePaid + l.GridFeePaid + l.StandbyFee + l.SubscriptionFee;
            PolrCharges += l.ImbalanceCharge;
            PolrCredits += l.ImbalanceCredit;
        }
    }

    public IReadOnlyList<Point> Points { get; }
    public Int128 ContractIn { get; }
    public Int128 ContractOut { get; }
    /// <summary>All fees of the period: DMO and grid fees per interval, standby and subscription fees per day / month.</summary>
    public Int128 Fees { get; }
    public Int128 PolrCharges { get; }
    public Int128 PolrCredits { get; }

    /// <summary>Contracted energy delivered as metered, in whole percent of |contracted| (null when nothing was contracted).</summary>
    public static long? DeliveredPercent(Point p)
        => p.ContractedWh == 0 ? null : Math.Max(0, Math.Min(p.MeteredWh * Math.Sign(p.ContractedWh), Math.Abs(p.ContractedWh))) * 100 / Math.Abs(p.ContractedWh);

    public IRenderable Render()
    {
        if (Points.Count == 0 && Fees == 0) return new Text("no settled intervals in this period\n");
        // Bars are drawn to scale; the exact amounts are in the labels (the charts' own value formatting is floating point).
        var energy = new BarChart { Label = "energy per interval, kWh (- marks import)" }.LeftAlignLabel().HideValues();
        foreach (var p in Points)
        {
            string hhmm = IsoTime.Format(p.Time)[11..16];
            energy.AddItem($"{hhmm} contracted {WattHours.FormatKwh(p.ContractedWh),10}", Math.Abs(p.ContractedWh), Color.Blue);
            energy.AddItem($"{hhmm} metered    {WattHours.FormatKwh(p.MeteredWh),10}", Math.Abs(p.MeteredWh), Color.Green);
        }
        var c = _currency.Code;
        var money = new BarChart { Label = $"money in the period, {c}" }.LeftAlignLabel().HideValues();
        foreach (var (label, amount, color) in new[]
                 {
                     ("contract received", ContractIn, Color.Green), ("contract paid", ContractOut, Color.Red), ("fees paid", Fees, Color.Yellow),
                     ("POLR imbalance charges", PolrCharges, Color.Red), ("POLR imbalance credits", PolrCredits, Color.Green),
                 })
            money.AddItem($"{label,-22} {_currency.Format(amount),14}", (double)amount, color);
        // Narrow columns (the day is in the caption) so that the table fits 80 columns without wrapping a cell.
        var table = new Table { Caption = new TableTitle($"intervals starting (UTC) on {(Points.Count > 0 ? IsoTime.Format(Points[0].Time)[..10] : "")}; energy in kWh, money in {c}") }
            .AddColumns("UTC", "contracted", "metered", "delivered", "contract", "fees", "POLR");
        foreach (var p in Points)
            table.AddRow(IsoTime.Format(p.Time)[11..16], WattHours.FormatKwh(p.ContractedWh), WattHours.FormatKwh(p.MeteredWh),
                DeliveredPercent(p) is { } pct ? pct.ToString(CultureInfo.InvariantCulture) + " %" : "", _currency.Format(p.Contract), _currency.Format(p.Fees), _currency.Format(p.Polr));
        return new Rows(energy, new Text(""), money, new Text(""), table);
    }

    /// <summary>The plotted series, one row per settled interval, exact integers with their units in the header.</summary>
    public string Csv()
    {
        var text = new StringBuilder("interval,contractedNetExportWh,meteredNetExportWh,imbalanceWh,contractNetMicros,feesMicros,polrNetMicros\n");
        foreach (var p in Points)
            text.Append(string.Join(',', IsoTime.Format(p.Time), I(p.ContractedWh), I(p.MeteredWh), I(p.ImbalanceWh), I(p.Contract), I(p.Fees), I(p.Polr))).Append('\n');
        return text.ToString();
    }

    /// <summary>The same series as JSON, keyed like the CSV header.</summary>
    public System.Text.Json.Nodes.JsonArray Json() => new([.. Points.Select(p => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
    {
        ["interval"] = IsoTime.Format(p.Time), ["contractedNetExportWh"] = p.ContractedWh, ["meteredNetExportWh"] = p.MeteredWh, ["imbalanceWh"] = p.ImbalanceWh,
        ["contractNetMicros"] = checked((long)p.Contract), ["feesMicros"] = checked((long)p.Fees), ["polrNetMicros"] = checked((long)p.Polr),
    })]);

    private static string I(Int128 value) => value.ToString(CultureInfo.InvariantCulture);
}
