using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node config show --data-dir D [--json]</c>: the settings the node would run with — every setting, its value
/// and the source it came from (default, the settings file, an environment variable, the command line) — secrets
/// masked. It reads and checks the settings exactly as <c>run</c> does, so a bad value fails here the same way.
/// </summary>
public static class ConfigCommand
{
    internal static Command Build(NodeCli.SettingOptions settings)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object: {file, settings: [{key, value, source}]}" };
        var show = new Command("show", "Print the effective settings and where each came from (secrets masked)") { json };
        foreach (var option in settings.All) show.Options.Add(option);
        show.SetAction(result => NodeCli.Guard(() =>
        {
            var configuration = settings.Load(result);
            _ = new NodeEndpoints(configuration.Options); // loads the certificates, as run does
            var rows = configuration.Explain().ToList();
            if (result.GetValue(json))
            {
                var document = new JsonObject
                {
                    ["file"] = configuration.File,
                    ["settings"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject { ["key"] = r.Key, ["value"] = r.Value, ["source"] = r.Source })]),
                };
                Console.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return Task.FromResult(NodeExitCode.Ok);
            }
            Console.WriteLine($"# settings file: {configuration.File}{(File.Exists(configuration.File) ? "" : " (absent)")}");
            int keyWidth = rows.Max(r => r.Key.Length), valueWidth = Math.Min(40, rows.Max(r => (r.Value ?? "(unset)").Length));
            foreach (var (key, value, source) in rows)
                Console.WriteLine($"{key.PadRight(keyWidth)}  {(value ?? "(unset)").PadRight(valueWidth)}  {source}");
            return Task.FromResult(NodeExitCode.Ok);
        }));
        return new Command("config", "The node's settings") { show };
    }
}
