namespace P2PEnergy.Node.Grid;

/// <summary>A meter as the flow book sees it: its node in the model (-1 when no model), reactive ratio and limits.</summary>
public readonly record struct MeterPoint(string Id, int Node, long TanMicro, ulong ImportLimitW, ulong ExportLimitW);

