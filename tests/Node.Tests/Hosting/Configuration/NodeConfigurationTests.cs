using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Hosting.Configuration;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Hosting.Configuration;

/// <summary>
/// One options model from defaults, the data directory's appsettings.json, P2PE_* variables and the command line (later
/// wins), checked at start: a bad value is one line naming the setting, the value and what is allowed.
/// </summary>
public sealed class NodeConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pe-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private NodeConfiguration Load(params (string Key, string Value)[] flags)
        => NodeConfiguration.Load(_dir, flags.ToDictionary(f => f.Key, f => (string?)f.Value));

    [Theory]
    [InlineData("Node:ConsensusNice", "1", "Node:ConsensusNice must be an integer in [-20, 0], got '1'")]
    [InlineData("Node:ConsensusNice", "-21", "Node:ConsensusNice must be an integer in [-20, 0], got '-21'")]
    [InlineData("Node:ShutdownGraceMs", "60001", "Node:ShutdownGraceMs must be an integer in [0, 60000], got '60001'")]
    [InlineData("Node:Api:Port", "70000", "Node:Api:Port must be an integer in [0, 65535], got '70000'")]
    [InlineData("Node:Api:WebPort", "-2", "Node:Api:WebPort must be an integer in [-1, 65535] or unset, got '-2'")]
    [InlineData("Node:HeartbeatMs", "soon", "Node:HeartbeatMs must be an integer in [1, 3600000], got 'soon'")]
    [InlineData("Node:Api:AllowInsecure", "yes", "Node:Api:AllowInsecure must be true or false, got 'yes'")]
    [InlineData("Node:LogFormat", "xml", "Node:LogFormat must be one of text, json, got 'xml'")]
    [InlineData("Node:Api:Address", "example.org", "Node:Api:Address must be an IPv4 or IPv6 address (0.0.0.0 or :: = every interface, 127.0.0.1 or ::1 = loopback), got 'example.org'")]
    [InlineData("Node:HeartBeat", "5", "Node:HeartBeat must be a known setting (p2pe-node config show lists them), got '5'")]
    public void BadValue_IsOneLine_NamingTheSettingTheValueAndWhatIsAllowed(string key, string value, string message)
    {
        var error = Assert.Throws<NodeSettingException>(() => Load((key, value)));
        Assert.Equal(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("Node:Api:Address", "0.0.0.0")]
    [InlineData("Node:Api:Address", "::")]
    [InlineData("Node:Peer:Address", "192.0.2.7")]
    public void CleartextOffLoopback_IsRefused_UnlessAllowInsecure(string key, string address)
    {
        var error = Assert.Throws<NodeSettingException>(() => Load((key, address)));
        string endpoint = key[..key.LastIndexOf(':')];
        Assert.Equal($"{key} must be a loopback address while {endpoint}:Tls:CertificateFile is empty (serving cleartext on every network needs {endpoint}:AllowInsecure=true), got '{address}'", error.Message);
        var allowed = Load((key, address), ($"{endpoint}:AllowInsecure", "true")).Options;
        Assert.Equal(address, endpoint == "Node:Api" ? allowed.Api.Address : allowed.Peer.Address);
        // The operations endpoint carries no keys and takes no input: cleartext on every interface is the operator's call.
        Assert.Equal("0.0.0.0", Load(("Node:Operations:Address", "0.0.0.0")).Options.Operations.Address);
    }

    [Fact]
    public void EveryEndpoint_NeedsAPortOfItsOwn()
    {
        var error = Assert.Throws<NodeSettingException>(() => Load(("Node:Api:Port", "6000"), ("Node:Operations:Port", "6000")));
        Assert.Equal("Node:Operations:Port must be a port other than Node:Api:Port's (each endpoint needs its own), got 6000", error.Message);
        // Unset, the web port is Api:Port + 1: an explicit operations port there collides with it.
        Assert.Throws<NodeSettingException>(() => Load(("Node:Api:Port", "6000"), ("Node:Operations:Port", "6001")));
        var free = Load(("Node:Api:Port", "0")).Options;
        Assert.Equal((0, 0), (free.Api.EffectiveWebPort, free.Operations.EffectivePort(free.Api.Port)));
    }

    [Fact]
    public void WithTls_TheApiPortServesGrpcWebItself_SoAWebPortIsRefused()
    {
        File.WriteAllText(Path.Combine(_dir, "cert.pem"), "");
        var error = Assert.Throws<NodeSettingException>(() => Load(("Node:Api:Tls:CertificateFile", "cert.pem"), ("Node:Api:WebPort", "7001")));
        Assert.StartsWith("Node:Api:WebPort must be unset or -1 while Node:Api:Tls is on", error.Message);
        Assert.Equal(-1, Load(("Node:Api:Tls:CertificateFile", "cert.pem")).Options.Api.EffectiveWebPort);
    }

    [Fact]
    public void Certificate_MissingOrUnreadable_IsRefusedNamingTheSetting()
    {
        var missing = Load(("Node:Api:Tls:CertificateFile", "nowhere.pem")).Options;
        var error = Assert.Throws<NodeSettingException>(() => new NodeEndpoints(missing));
        Assert.Equal($"Node:Api:Tls:CertificateFile must be an existing file (looked for {Path.Combine(_dir, "nowhere.pem")}), got 'nowhere.pem'", error.Message);
        File.WriteAllText(Path.Combine(_dir, "junk.pem"), "not a certificate");
        var junk = Load(("Node:Api:Tls:CertificateFile", "junk.pem")).Options;
        Assert.StartsWith("Node:Api:Tls:CertificateFile must be a readable certificate and key", Assert.Throws<NodeSettingException>(() => new NodeEndpoints(junk)).Message);
    }

    [Fact]
    public void SettingsFile_OverridesDefaults_TheCommandLineOverridesTheFile_AndExplainNamesEachSource()
    {
        File.WriteAllText(Path.Combine(_dir, NodeConfiguration.FileName), """
            // comments are allowed
            { "Node": { "HeartbeatMs": 250, "Api": { "Port": 6100 }, "Operations": { "Tls": { "CertificateFile": "ops.pfx", "Password": "s3cret" } } },
              "Logging": { "LogLevel": { "P2PEnergy.Node.Api": "Debug" } } }
            """);
        var configuration = Load(("Node:Api:Port", "6200"));
        Assert.Equal((250, 6200), (configuration.Options.HeartbeatMs, configuration.Options.Api.Port));
        var rows = configuration.Explain().ToDictionary(r => r.Key, r => (r.Value, r.Source));
        string file = $"file {Path.Combine(_dir, NodeConfiguration.FileName)}";
        Assert.Equal(("250", file), rows["Node:HeartbeatMs"]);
        Assert.Equal(("6200", "command line"), rows["Node:Api:Port"]);
        Assert.Equal(("5000", "default"), rows["Node:MaxBlockTransactions"]);
        Assert.Equal((_dir, "command line --data-dir"), rows["Node:DataDir"]);
        Assert.Equal(("***", file), rows["Node:Operations:Tls:Password"]);
        Assert.Equal(("Debug", file), rows["Logging:LogLevel:P2PEnergy.Node.Api"]);
        Assert.Equal(("Warning", "default"), rows["Logging:LogLevel:Microsoft.AspNetCore"]);
        Assert.Equal(NodeSettings.All.Count, rows.Keys.Count(k => k.StartsWith("Node:", StringComparison.Ordinal)));
    }

    [Fact]
    public void SettingsFile_ThatIsNotJson_IsASetupError_NamingTheFile()
    {
        File.WriteAllText(Path.Combine(_dir, NodeConfiguration.FileName), "{ \"Node\": ");
        var error = Assert.Throws<NodeSetupException>(() => Load());
        Assert.StartsWith($"{Path.Combine(_dir, NodeConfiguration.FileName)} is not valid JSON", error.Message);
    }

    [Fact]
    public void InitTemplate_ListsEverySettingAtItsDefault_WithItsDescription_AndLoadsBackToTheDefaults()
    {
        var template = AppSettingsTemplate.Render();
        File.WriteAllText(Path.Combine(_dir, NodeConfiguration.FileName), template);
        var loaded = Load().Options;
        foreach (var setting in NodeSettings.All)
        {
            Assert.Equal(setting.Format(new NodeOptions { DataDir = _dir }), setting.Format(loaded));
            if (setting.Key == "Node:DataDir") continue;
            Assert.Contains($"// {setting.Description}", template);
            Assert.Contains($"\"{setting.Key.Split(':')[^1]}\":", template);
        }
        // What .NET's reader accepts is also JSON with comments to any editor.
        var parsed = JsonNode.Parse(template, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        Assert.Equal(5080, (int)parsed["Node"]!["Api"]!["Port"]!);
        Assert.Null(parsed["Node"]!["Api"]!["WebPort"]);
    }

    [Fact]
    public void NodeDocs_ListEverySetting()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path!, "docs", "node.md"));
        foreach (var setting in NodeSettings.All)
        {
            // A row may stand for a section's settings together ("`Peer:Tls:*`").
            var parts = setting.Key["Node:".Length..].Split(':');
            var names = Enumerable.Range(1, parts.Length - 1).Select(n => string.Join(':', parts[..n]) + ":*").Append(string.Join(':', parts));
            Assert.True(names.Any(name => docs.Contains($"`{name}`", StringComparison.Ordinal)), $"docs/node.md does not list {setting.Key}");
        }
    }
}
