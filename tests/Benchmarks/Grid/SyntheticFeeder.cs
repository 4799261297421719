using P2PEnergy.Node.Grid;

namespace P2PEnergy.Benchmarks.Grid;

/// <summary>
/// A 10,000-node distribution network for the contract-check benchmark: one 110/20 kV substation, 10 feeders, each
/// a 10-segment trunk with a 4-segment lateral off every trunk segment (50 segments), two 20 kV/400 V transformers per
/// segment and 8,519 service points under them, carrying 100,000 meters. Depth reaches 18, so a contract between two
/// feeders crosses about 34 branches. Impedances are typical per-segment values (cable ≈ 0.2 Ω / 0.1 Ω at 20 kV).
/// </summary>
public static class SyntheticFeeder
{
    public const int Feeders = 10, TrunkSegments = 10, LateralSegments = 4, TransformersPerSegment = 2, Nodes = 10_000, Meters = 100_000;

    public static GridModelFile File()
    {
        var file = new GridModelFile();
        file.Nodes.Add(new GridNodeEntry { Id = "S", Kind = NodeKind.Substation, NominalVoltageV = 20_000 });
        var transformers = new List<string>();
        for (int f = 0; f < Feeders; f++)
        {
            file.Nodes.Add(Entry($"F{f}", NodeKind.Feeder, "S", 12_000_000, 50, 100, 20_000));
            string trunkParent = $"F{f}";
            for (int t = 0; t < TrunkSegments; t++)
            {
                var trunk = $"F{f}-T{t}";
                file.Nodes.Add(Entry(trunk, NodeKind.Segment, trunkParent, 10_000_000, 200, 100, 20_000));
                AddTransformers(file, transformers, trunk);
                string lateralParent = trunk;
                for (int l = 0; l < LateralSegments; l++)
                {
                    var lateral = $"{trunk}-L{l}";
                    file.Nodes.Add(Entry(lateral, NodeKind.Segment, lateralParent, 4_000_000, 300, 120, 20_000));
                    AddTransformers(file, transformers, lateral);
                    lateralParent = lateral;
                }
                trunkParent = trunk;
            }
        }
        for (int sp = 0; file.Nodes.Count < Nodes; sp++)
            file.Nodes.Add(Entry($"SP{sp}", NodeKind.ServicePoint, transformers[sp % transformers.Count], 60_000, 30, 10, 400));
        return file;
    }

    /// <summary>Meter i sits on service point i mod 8,519.</summary>
    public static string ServicePointOf(GridModel model, int meter)
    {
        int servicePoints = Nodes - 1 - Feeders * (1 + TrunkSegments * (1 + LateralSegments) * (1 + TransformersPerSegment));
        return $"SP{meter % servicePoints}";
    }

    private static void AddTransformers(GridModelFile file, List<string> transformers, string segment)
    {
        for (int k = 0; k < TransformersPerSegment; k++)
        {
            var id = $"{segment}-X{k}";
            file.Nodes.Add(Entry(id, NodeKind.Transformer, segment, 630_000, 4, 16, 400));
            transformers.Add(id);
        }
    }

    private static GridNodeEntry Entry(string id, NodeKind kind, string parent, long ratingW, long r, long x, long volts)
        => new() { Id = id, Kind = kind, Parent = parent, RatingW = ratingW, RMilliohm = r, XMilliohm = x, NominalVoltageV = volts };
}
