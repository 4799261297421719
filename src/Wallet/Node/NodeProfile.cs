using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Node;

/// <summary>
/// The wallet's settings file, <c>$P2PE_HOME/config.json</c> (<c>{"node": "http://127.0.0.1:5080"}</c>): which node
/// the commands talk to unless <c>--node</c> says otherwise.
/// </summary>
internal sealed class NodeProfile(string home)
{
    /// <summary>Settings the file may hold, with what they mean (shown by <c>config show</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["node"] = "gRPC URL of the p2pe-node to call (http://HOST:PORT)",
    };

    public string File => Path.Combine(home, "config.json");

    /// <summary>The stored settings; an absent file is an empty profile.</summary>
    public JsonObject Read()
    {
        if (!System.IO.File.Exists(File)) return new JsonObject();
        try { return JsonNode.Parse(System.IO.File.ReadAllText(File)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.Storage, "CORRUPT_CONFIG", $"cannot read {File}: {e.Message}"); }
    }

    /// <summary>Sets one setting and rewrites the file atomically.</summary>
    public void Set(string name, string value)
    {
        if (!Settings.ContainsKey(name))
            throw new WalletException(ExitCode.Usage, "UNKNOWN_SETTING", $"no setting '{name}'; known: {string.Join(", ", Settings.Keys)}");
        if (name == "node") value = ParseUrl(value).ToString().TrimEnd('/');
        var settings = Read();
        settings[name] = value;
        AtomicFile.CreateDirectory(home);
        AtomicFile.Write(File, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", overwrite: true);
    }

    /// <summary>The node URL: <paramref name="option"/> (--node), else the profile's, else an error saying how to set one.</summary>
    public Uri NodeUrl(string? option)
    {
        if (option is { Length: > 0 }) return ParseUrl(option);
        if (Read()["node"] is JsonValue value && value.TryGetValue<string>(out var url)) return ParseUrl(url);
        throw new WalletException(ExitCode.Usage, "NO_NODE", $"no node configured: pass --node URL or run `p2pe config set node URL` ({File})");
    }

    public static Uri ParseUrl(string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return uri;
        throw new WalletException(ExitCode.Usage, "INVALID_NODE_URL", $"'{text}' is not an http:// or https:// URL");
    }
}
