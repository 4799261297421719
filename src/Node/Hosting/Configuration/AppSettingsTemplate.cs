using System.Text;
using System.Text.Json;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The commented <c>appsettings.json</c> that <c>p2pe-node init</c> writes into a new data directory: every setting
/// with its description and default (the .NET JSON configuration reader skips comments), so an operator edits values
/// instead of looking names up. DataDir is left out: it is where this file lives.
/// </summary>
public static class AppSettingsTemplate
{
    /// <summary>The template with every setting at its value in <paramref name="values"/> (default: the defaults).</summary>
    public static string Render(NodeOptions? values = null)
    {
        var text = new StringBuilder();
        text.AppendLine("// p2pe-node settings for this data directory (JSON with comments), every one at its default unless init chose it.");
        text.AppendLine("// Environment variables P2PE_Node__<Section>__<Name> and command-line flags override this file;");
        text.AppendLine("// `p2pe-node config show --data-dir DIR` prints the settings in effect and where each came from.");
        text.AppendLine("{");
        text.AppendLine($"  {Quote(NodeOptions.Section)}: {{");
        Render(text, NodeOptions.Section, 2, NodeSettings.All.Where(s => s.Key != $"{NodeOptions.Section}:DataDir").ToList(), values ?? new NodeOptions());
        text.AppendLine("  },");
        text.AppendLine("  // Log levels per category (Microsoft.Extensions.Logging): Trace, Debug, Information, Warning, Error, Critical, None.");
        text.AppendLine("  // \"P2PEnergy.Node.Api\": \"Debug\" logs every API call; Microsoft.AspNetCore at Information logs every request.");
        text.AppendLine($"  {Quote("Logging")}: {{");
        text.AppendLine($"    {Quote("LogLevel")}: {{");
        var levels = NodeConfiguration.LogLevelDefaults.ToList();
        for (int i = 0; i < levels.Count; i++)
            text.AppendLine($"      {Quote(levels[i].Key.Split(':')[^1])}: {Quote(levels[i].Value)}{(i == levels.Count - 1 ? "" : ",")}");
        text.AppendLine("    }");
        text.AppendLine("  }");
        text.AppendLine("}");
        return text.ToString();
    }

    /// <summary>The settings and sections directly under <paramref name="prefix"/>, in declaration order, at <paramref name="depth"/>.</summary>
    private static void Render(StringBuilder text, string prefix, int depth, IReadOnlyList<NodeSetting> settings, NodeOptions defaults)
    {
        var indent = new string(' ', 2 * depth);
        var children = settings.Select(s => s.Key[(prefix.Length + 1)..].Split(':')[0]).Distinct().ToList();
        for (int i = 0; i < children.Count; i++)
        {
            string key = $"{prefix}:{children[i]}", comma = i == children.Count - 1 ? "" : ",";
            var within = settings.Where(s => s.Key.StartsWith(key + ":", StringComparison.Ordinal)).ToList();
            if (within.Count > 0)
            {
                text.AppendLine($"{indent}// {NodeSettings.Sections[key]}");
                text.AppendLine($"{indent}{Quote(children[i])}: {{");
                Render(text, key, depth + 1, within, defaults);
                text.AppendLine($"{indent}}}{comma}");
                continue;
            }
            var setting = settings.Single(s => s.Key == key);
            text.AppendLine($"{indent}// {setting.Description}{(setting.Allowed is { } allowed ? $" ({allowed})" : "")}");
            text.AppendLine($"{indent}{Quote(children[i])}: {Value(setting, defaults)}{comma}");
        }
    }

    private static string Value(NodeSetting setting, NodeOptions defaults)
    {
        var value = setting.Format(defaults);
        if (value is null) return "null";
        var type = Nullable.GetUnderlyingType(setting.Type) ?? setting.Type;
        return type == typeof(string) ? Quote(value) : value;
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
