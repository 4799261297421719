namespace P2PEnergy.Node.Grid;

/// <summary>A meter as the flow book sees it: its node in the model (-1 when no model), reactive ratio and limits.</summary>
public readonly record struct MeterPoint(string Id, int Node, long TanMicro, ulong ImportLimitW, ulong ExportLimitW);

/// <summary>Why the grid refuses a contract: THERMAL_LIMIT, VOLTAGE_LIMIT or METER_LIMIT and a message with the numbers.</summary>
public sealed record GridViolation(string Code, string Message);
