using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PEnergy.Node.Grid.Analysis;

/// <summary>
/// The <c>--injections</c> file of <c>p2pe-node grid analyze</c>: net power per node, positive = export into the
/// grid, a load negative (docs/grid-model.md). Several entries for one node add up.
/// </summary>
public sealed class InjectionsFile
{
    public List<NodeInjection> Injections { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static InjectionsFile Parse(ReadOnlySpan<byte> json)
    {
        try { return JsonSerializer.Deserialize<InjectionsFile>(json, Options) ?? new InjectionsFile(); }
        catch (JsonException e) { throw new GridModelException($"injections file is not valid JSON for this schema: {e.Message}"); }
    }

    /// <summary>Active and reactive injection per node index of <paramref name="model"/>.</summary>
    public (long[] ActiveW, long[] ReactiveVar) ByNode(GridModel model)
    {
        var p = new long[model.Count];
        var q = new long[model.Count];
        foreach (var injection in Injections)
        {
            int node = model.IndexOf(injection.Node);
            if (node < 0) throw new GridModelException($"injections: node '{injection.Node}' is not in the model");
            p[node] = checked(p[node] + injection.ActiveW);
            q[node] = checked(q[node] + injection.ReactiveVar);
        }
        return (p, q);
    }
}

/// <summary>One node's net injection: W and var, positive into the grid.</summary>
public sealed class NodeInjection
{
    public string Node { get; set; } = "";
    public long ActiveW { get; set; }
    public long ReactiveVar { get; set; }
}
