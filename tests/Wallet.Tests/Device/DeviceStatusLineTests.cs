using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Device;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>The per-interval status: one JSON object per line with --json, a rewritten line on a terminal.</summary>
public class DeviceStatusLineTests
{
    private static readonly DeviceReport Report = new("MTR-A",
        new DispatchInstruction { Meter = "MTR-A", IntervalStart = 1_800_000_000, NetExportWh = 2_000, NetExportW = 8_000 },
        1_600, new DeviceStep(0, 1_600, "discharging", 0.42), "0xab", "OK", "");

    [Fact]
    public void Json_IsOneObjectPerInterval_WithTargetActualAndSoc()
    {
        var output = new StringWriter();
        new DeviceStatusLine(output, json: true, live: false).Write(Report);
        var line = JsonNode.Parse(output.ToString().TrimEnd())!;
        Assert.Equal((1_800_000_000UL, 2_000L, 1_600L, 1_600L, 0.42, "OK"),
            ((ulong)line["interval"]!, (long)line["targetNetExportWh"]!, (long)line["setpointNetExportWh"]!, (long)line["netExportWh"]!, (double)line["stateOfCharge"]!, (string)line["code"]!));
        Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Human_NamesIntervalTargetSetpointActualAndSoc()
        => Assert.Equal("MTR-A 2027-01-15 08:00:00Z target +2000 Wh setpoint +1600 Wh actual +1600 Wh SoC 42.0% (discharging) reading OK",
            DeviceStatusLine.Format(Report));

    [Fact]
    public void Live_RewritesOneLine_AndEndsItOnFinish()
    {
        var output = new StringWriter();
        var status = new DeviceStatusLine(output, json: false, live: true);
        status.Running(Report.Instruction);
        status.Write(Report);
        status.Finish();
        var text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.EndsWith("reading OK" + Environment.NewLine, text);
    }
}
