using System.Globalization;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// How a running agent shows its progress: one JSON object per interval with --json, else a human line per interval —
/// rewritten in place (carriage return) on a terminal, so the screen shows a live status rather than a scrolling log.
/// </summary>
public sealed class DeviceStatusLine(TextWriter output, bool json, bool live)
{
    private int _lastLength;

    /// <summary>Writes the report of one handled interval.</summary>
    public void Write(DeviceReport report)
    {
        if (json) { output.WriteLine(ToJson(report).ToJsonString()); return; }
        var line = Format(report);
        if (!live) { output.WriteLine(line); return; }
        Rewrite(line);
    }

    private void Rewrite(string line)
    {
        // Pad over the previous line's tail: the new line may be shorter.
        output.Write("\r" + line.PadRight(_lastLength));
        _lastLength = line.Length;
        output.Flush();
    }

    /// <summary>On a terminal, shows the interval being executed until its report replaces it.</summary>
    public void Running(DispatchInstruction instruction)
    {
        if (json || !live) return;
        var time = DateTimeOffset.FromUnixTimeSeconds((long)instruction.IntervalStart).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Rewrite($"{instruction.Meter} {time} target {instruction.NetExportWh:+#;-#;0} Wh ({instruction.NetExportW:+#;-#;0} W) running...");
    }

    /// <summary>Ends a live line, so the shell prompt does not land on top of it.</summary>
    public void Finish()
    {
        if (live && _lastLength > 0) output.WriteLine();
    }

    /// <summary>Notes a failed connection (on the error writer: stdout stays one JSON object per interval).</summary>
    public static void Reconnecting(TextWriter error, bool json, Exception e, TimeSpan delay)
    {
        var message = e.Message.ReplaceLineEndings(" ");
        if (json) error.WriteLine(new JsonObject { ["reconnecting"] = new JsonObject { ["inSeconds"] = delay.TotalSeconds, ["reason"] = message } }.ToJsonString());
        else error.WriteLine($"p2pe: RECONNECTING: in {delay.TotalSeconds:0.#} s after {message}");
    }

    /// <summary>The human form: interval, target, setpoint when deviating, actual, SoC, status and the node's verdict.</summary>
    public static string Format(DeviceReport r)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds((long)r.IntervalStart).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var setpoint = r.SetpointNetExportWh != r.TargetNetExportWh ? $" setpoint {r.SetpointNetExportWh:+#;-#;0} Wh" : "";
        var soc = r.Step.StateOfCharge is { } s ? $" SoC {s * 100:0.0}%" : "";
        var verdict = r.Accepted ? "reading OK" : $"reading {r.Code}: {r.Message}";
        return $"{r.Meter} {time} target {r.TargetNetExportWh:+#;-#;0} Wh{setpoint} actual {r.Step.NetExportWh:+#;-#;0} Wh{soc} ({r.Step.Status}) {verdict}";
    }

    /// <summary>The --json form of a report.</summary>
    public static JsonObject ToJson(DeviceReport r) => new()
    {
        ["meter"] = r.Meter,
        ["interval"] = r.IntervalStart,
        ["targetNetExportWh"] = r.TargetNetExportWh,
        ["setpointNetExportWh"] = r.SetpointNetExportWh,
        ["importWh"] = r.Step.ImportWh,
        ["exportWh"] = r.Step.ExportWh,
        ["netExportWh"] = r.Step.NetExportWh,
        ["stateOfCharge"] = r.Step.StateOfCharge,
        ["status"] = r.Step.Status,
        ["transactionId"] = r.TransactionId,
        ["code"] = r.Code,
        ["message"] = r.Message,
    };
}
