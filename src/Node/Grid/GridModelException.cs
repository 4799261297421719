namespace P2PEnergy.Node.Grid;

/// <summary>A grid model file that cannot be installed; the message names the offending node or field.</summary>
public sealed class GridModelException(string message) : Exception(message);
