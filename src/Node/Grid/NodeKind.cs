namespace P2PEnergy.Node.Grid;

/// <summary>The kind of a node of the radial grid model, from the top of the tree down.</summary>
public enum NodeKind
{
    Substation,
    Feeder,
    Segment,
    Transformer,
    ServicePoint,
}
