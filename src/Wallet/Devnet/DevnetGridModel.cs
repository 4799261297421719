using System.Text.Json.Nodes;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// The devnet's grid model (docs/grid-model.md format): substation S, feeders F1 and F2, transformers T1, T2 on F1
/// and T3 on F2, and one service point per meter. T3 is deliberately congested: its rating is a small multiple of one
/// participant's power, so PV exports gathered under it hit THERMAL_LIMIT while the rest of the grid has headroom.
/// </summary>
public static class DevnetGridModel
{
    /// <summary>The transformers meters are spread over, in rotation; T3 is the congested one.</summary>
    public static readonly IReadOnlyList<string> Transformers = ["T1", "T2", "T3"];

    /// <summary>The congested transformer.</summary>
    public const string CongestedTransformer = "T3";

    /// <summary>Thermal rating of the congested transformer, W: room for about one PV array's full export.</summary>
    public const long CongestedRatingW = 6_000;

    /// <summary>Import and export limit of every devnet meter, W.</summary>
    public const long MeterLimitW = 10_000;

    /// <summary>The transformer the meter of participant <paramref name="index"/> hangs from.</summary>
    public static string TransformerOf(int index) => Transformers[index % Transformers.Count];

    /// <summary>The model as JSON text, with one service point per entry of <paramref name="servicePoints"/> (id, transformer).</summary>
    public static string Build(IEnumerable<(string Id, string Transformer)> servicePoints)
    {
        var nodes = new JsonArray
        {
            Node("S", "Substation", null, 0, 0, 0, 10_000),
            Node("F1", "Feeder", "S", 2_000_000, 200, 100, 10_000),
            Node("F2", "Feeder", "S", 2_000_000, 200, 100, 10_000),
            Node("T1", "Transformer", "F1", 400_000, 50, 0, 400),
            Node("T2", "Transformer", "F1", 400_000, 50, 0, 400),
            Node(CongestedTransformer, "Transformer", "F2", CongestedRatingW, 500, 0, 400),
        };
        foreach (var (id, transformer) in servicePoints) nodes.Add(Node(id, "ServicePoint", transformer, 20_000, 20, 0, 400));
        return new JsonObject { ["vMinPu"] = 0.9, ["vMaxPu"] = 1.1, ["sourceVoltagePu"] = 1.0, ["nodes"] = nodes }
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Node(string id, string kind, string? parent, long ratingW, long r, long x, long nominalV)
    {
        var node = new JsonObject { ["id"] = id, ["kind"] = kind };
        if (parent is not null)
        {
            node["parent"] = parent;
            node["ratingW"] = ratingW;
            node["rMilliohm"] = r;
            node["xMilliohm"] = x;
        }
        node["nominalVoltageV"] = nominalV;
        return node;
    }
}
