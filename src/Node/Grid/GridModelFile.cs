using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The grid model file as written (docs/grid-model.md): a voltage band and a list of nodes, each naming its parent.
/// Decimal fields are read as <see cref="decimal"/>, never double, so the fixed-point values derived from them are
/// the same on every node.
/// </summary>
public sealed class GridModelFile
{
    /// <summary>Lower edge of the voltage band, per unit.</summary>
    public decimal VMinPu { get; set; } = 0.95m;
    /// <summary>Upper edge of the voltage band, per unit.</summary>
    public decimal VMaxPu { get; set; } = 1.05m;
    /// <summary>Voltage held at the root (the slack bus), per unit.</summary>
    public decimal SourceVoltagePu { get; set; } = 1.00m;
    public List<GridNodeEntry> Nodes { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static GridModelFile Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<GridModelFile>(json, Options) ?? throw new GridModelException("grid model is empty");
        }
        catch (JsonException e)
        {
            throw new GridModelException($"grid model is not valid JSON for this schema: {e.Message}");
        }
    }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Options);
}

/// <summary>One node and the branch to its parent (absent at the root).</summary>
public sealed class GridNodeEntry
{
    public string Id { get; set; } = "";
    public NodeKind Kind { get; set; }
    /// <summary>The parent's id; null or empty only at the root.</summary>
    public string? Parent { get; set; }
    /// <summary>Thermal rating of the branch to the parent as active power (W); set this or <see cref="RatingVa"/>.</summary>
    public long? RatingW { get; set; }
    /// <summary>Thermal rating of the branch to the parent as apparent power (VA): √(P² + Q²) must stay within it.</summary>
    public long? RatingVa { get; set; }
    /// <summary>
    /// Series resistance of the branch to the parent, milliohm, referred to <see cref="NominalVoltageV"/>; fractions are
    /// kept for the AC analysis, the ledger's checks use it rounded to whole milliohm (<see cref="GridModel.RMilliohm"/>).
    /// </summary>
    public decimal RMilliohm { get; set; }
    /// <summary>Series reactance of the branch to the parent, milliohm, as <see cref="RMilliohm"/>.</summary>
    public decimal XMilliohm { get; set; }
    /// <summary>Nominal line-to-line voltage at this node's level (V).</summary>
    public long NominalVoltageV { get; set; }
}
