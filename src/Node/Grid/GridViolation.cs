namespace P2PEnergy.Node.Grid;

/// <summary>Why the grid refuses a contract: THERMAL_LIMIT, VOLTAGE_LIMIT or METER_LIMIT and a message with the numbers.</summary>
public sealed record GridViolation(string Code, string Message);
