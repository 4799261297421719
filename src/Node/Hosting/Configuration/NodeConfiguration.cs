using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// Where the node's settings come from, in rising precedence: the defaults of <see cref="NodeOptions"/> (and of the
/// log levels), <c>appsettings.json</c> in the data directory (or the file <c>--config</c> names), environment
/// variables <c>P2PE_*</c> (<c>P2PE_Node__Api__Port</c> is <c>Node:Api:Port</c>) and the command line. Every value is
/// converted and range-checked here and the rules between settings by <see cref="NodeOptions.Validate"/>: a bad one is
/// a <see cref="NodeSettingException"/> naming it, as is a key under <c>Node</c> that no setting has (a typo would
/// otherwise be silently ignored).
/// </summary>
public sealed class NodeConfiguration
{
    public const string FileName = "appsettings.json";
    public const string EnvironmentPrefix = "P2PE_";

    /// <summary>Log levels a production node starts with (docs/node.md): no per-request lines at Information.</summary>
    public static readonly IReadOnlyDictionary<string, string> LogLevelDefaults = new Dictionary<string, string>
    {
        ["Logging:LogLevel:Default"] = "Information",
        // ASP.NET Core logs each request at Information ("Request starting …") and Grpc.AspNetCore each cancelled
        // stream with its stack (every device reconnect); the API's own per-call line is Debug (ApiCallInterceptor).
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Grpc"] = "Warning",
    };

    private readonly IReadOnlyList<string> _labels;

    private NodeConfiguration(IConfigurationRoot root, IReadOnlyList<string> labels, NodeOptions options, string file)
    {
        Root = root;
        _labels = labels;
        Options = options;
        File = file;
    }

    /// <summary>Every source, for the host's own configuration (logging reads "Logging" from it).</summary>
    public IConfigurationRoot Root { get; }

    public NodeOptions Options { get; }

    /// <summary>The settings file read (it may not exist: then only the other sources count).</summary>
    public string File { get; }

    /// <summary>
    /// Reads and checks the settings of the node on <paramref name="dataDir"/>. <paramref name="commandLine"/> holds the
    /// flags as keys (<c>Node:Api:Port</c>, …); <paramref name="configFile"/> replaces the data directory's file and must exist.
    /// </summary>
    public static NodeConfiguration Load(string dataDir, IReadOnlyDictionary<string, string?> commandLine, string? configFile = null)
    {
        var file = Path.GetFullPath(configFile ?? Path.Combine(dataDir, FileName));
        if (configFile is not null && !System.IO.File.Exists(file)) throw new NodeSetupException($"configuration file {file} (--config) does not exist");
        var defaults = NodeSettings.All.Where(s => s.Format(new NodeOptions()) is not null)
            .ToDictionary(s => s.Key, s => s.Format(new NodeOptions()));
        foreach (var (key, value) in LogLevelDefaults) defaults[key] = value;
        var builder = new ConfigurationBuilder();
        builder.Sources.Add(new MemoryConfigurationSource { InitialData = defaults });
        builder.AddJsonFile(file, optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        var flags = new Dictionary<string, string?>(commandLine, StringComparer.OrdinalIgnoreCase) { [$"{NodeOptions.Section}:DataDir"] = dataDir };
        builder.AddInMemoryCollection(flags);
        IConfigurationRoot root;
        try { root = builder.Build(); }
        catch (InvalidDataException e) { throw new NodeSetupException($"{file} is not valid JSON: {(e.InnerException ?? e).Message}"); }
        catch (FormatException e) { throw new NodeSetupException($"{file}: {e.Message}"); }

        var options = new NodeOptions();
        foreach (var (key, value) in root.GetSection(NodeOptions.Section).AsEnumerable())
        {
            if (value is null) continue;
            var setting = NodeSettings.Find(key) ?? throw new NodeSettingException(key, value, "a known setting (p2pe-node config show lists them)");
            setting.Set(options, value);
        }
        options.Validate();
        return new NodeConfiguration(root, ["default", $"file {file}", "environment", "command line"], options, file);
    }

    /// <summary>A setting's value as configured and where it came from (the last source that sets it), secrets masked.</summary>
    public IEnumerable<(string Key, string? Value, string Source)> Explain()
    {
        var keys = NodeSettings.All.Select(s => s.Key)
            .Concat(Root.GetSection("Logging").AsEnumerable().Where(kv => kv.Value is not null).Select(kv => kv.Key).Order(StringComparer.Ordinal));
        foreach (var key in keys)
        {
            var setting = NodeSettings.Find(key);
            string? value = setting is null ? Root[key] : setting.Format(Options);
            if (setting?.Secret == true && !string.IsNullOrEmpty(value)) value = "***";
            yield return (key, value, SourceOf(key));
        }
    }

    private string SourceOf(string key)
    {
        var providers = Root.Providers.ToList();
        for (int i = providers.Count - 1; i >= 0; i--)
        {
            if (!providers[i].TryGet(key, out _)) continue;
            return _labels[i] switch
            {
                "environment" => $"environment {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}",
                "command line" when key.EndsWith(":DataDir", StringComparison.Ordinal) => "command line --data-dir",
                var label => label,
            };
        }
        return "default";
    }

    /// <summary>The command line's <c>--set KEY=VALUE</c> pairs as configuration keys.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ParseAssignments(IEnumerable<string> assignments)
    {
        foreach (var assignment in assignments)
        {
            int equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new NodeSettingException("--set", assignment, "KEY=VALUE, e.g. Node:Api:Address=0.0.0.0");
            yield return KeyValuePair.Create<string, string?>(assignment[..equals].Trim(), assignment[(equals + 1)..]);
        }
    }
}
