using Google.Protobuf;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Cli;

namespace P2PEnergy.Wallet.Tests.Cli;

/// <summary>
/// <c>account statement --plot</c>: contracted vs metered energy per settled interval and the period's money flows,
/// rendered at a recorded terminal width, and the same series as CSV.
/// </summary>
public sealed class DayPlotTests
{
    private const ulong TenAm = 1_795_082_400; // 2026-11-19T10:00:00Z

    /// <summary>
    /// A prosumer's morning: at 10:00 it sold 1.5 kWh and delivered 1.2 (0.3 kWh short, charged by the POLR); at 10:15
    /// it bought 0.5 kWh and took exactly that; a standby fee for the day.
    /// </summary>
    private static Statement Morning()
    {
        var statement = new Statement();
        statement.Lines.Add(new StatementLine { Time = TenAm - 36_000, Kind = "Standby", StandbyFee = 10_000 });
        statement.Lines.Add(new StatementLine { Time = TenAm, Kind = "Interval", ContractReceived = 150_000, DmoFeePaid = 1_000, ImbalanceWh = -300, ImbalanceCharge = 90_000 });
        statement.Lines.Add(new StatementLine { Time = TenAm + 900, Kind = "Interval", ContractPaid = 50_000, DmoFeePaid = 500, GridFeePaid = 2_500 });
        statement.ContractLines.Add(new ContractLine { Time = TenAm, Sell = true, Wh = 1_000, ContractId = ByteString.CopyFrom(new byte[32]) });
        statement.ContractLines.Add(new ContractLine { Time = TenAm, Sell = true, Wh = 500, ContractId = ByteString.CopyFrom(new byte[32]) });
        statement.ContractLines.Add(new ContractLine { Time = TenAm + 900, Sell = false, Wh = 500, ContractId = ByteString.CopyFrom(new byte[32]) });
        return statement;
    }

    [Fact]
    public void Plot_At80Columns_DrawsEnergyAndMoney_WithExactAmounts()
    {
        var output = new StringWriter();
        LedgerViews.Write(output, 80, new DayPlot(Morning(), Currency.Default).Render());
        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80 columns: '{l}'"));
        Assert.Equal(Recorded, string.Join('\n', lines).TrimEnd('\n'));
    }

    [Fact]
    public void Csv_IsTheSameSeries_AsExactIntegersWithUnitsInTheHeader()
    {
        var plot = new DayPlot(Morning(), Currency.Default);
        Assert.Equal(
            "interval,contractedNetExportWh,meteredNetExportWh,imbalanceWh,contractNetMicros,feesMicros,polrNetMicros\n" +
            "2026-11-19T10:00:00Z,1500,1200,-300,150000,-1000,-90000\n" +
            "2026-11-19T10:15:00Z,-500,-500,0,-50000,-3000,0\n", plot.Csv());
        // The totals count the day's standby fee with the intervals' fees.
        Assert.Equal((Int128)14_000, plot.Fees);
        Assert.Equal(1200L, (long)plot.Json()[0]!["meteredNetExportWh"]!);
    }

    [Theory]
    [InlineData(1500, 1200, 80L)]
    [InlineData(1500, 1800, 100L)]
    [InlineData(-500, -250, 50L)]
    [InlineData(1500, -100, 0L)]
    [InlineData(0, 300, null)]
    public void DeliveredPercent_IsMeteredOverContracted_CappedAt100(long contracted, long metered, long? percent)
        => Assert.Equal(percent, DayPlot.DeliveredPercent(new DayPlot.Point(TenAm, contracted, metered, metered - contracted, 0, 0, 0)));

    [Fact]
    public void NoSettledIntervals_SaysSo()
    {
        var output = new StringWriter();
        LedgerViews.Write(output, 80, new DayPlot(new Statement(), Currency.Default).Render());
        Assert.Equal("no settled intervals in this period", output.ToString().Trim());
    }

    private const string Recorded = """
                             energy per interval, kWh (- marks import)
10:00 contracted      1.500  ███████████████████████████████████████████████████
10:00 metered         1.200  ████████████████████████████████████████
10:15 contracted     -0.500  █████████████████
10:15 metered        -0.500  █████████████████

                                       money in the period, EUR
contract received            0.150000  █████████████████████████████████████████
contract paid                0.050000  █████████████
fees paid                    0.014000  ███
POLR imbalance charges       0.090000  ████████████████████████
POLR imbalance credits       0.000000

┌───────┬────────────┬─────────┬───────────┬───────────┬───────────┬───────────┐
│ UTC   │ contracted │ metered │ delivered │ contract  │ fees      │ POLR      │
├───────┼────────────┼─────────┼───────────┼───────────┼───────────┼───────────┤
│ 10:00 │ 1.500      │ 1.200   │ 80 %      │ 0.150000  │ -0.001000 │ -0.090000 │
│ 10:15 │ -0.500     │ -0.500  │ 100 %     │ -0.050000 │ -0.003000 │ 0.000000  │
└───────┴────────────┴─────────┴───────────┴───────────┴───────────┴───────────┘
      intervals starting (UTC) on 2026-11-19; energy in kWh, money in EUR
""";
}
