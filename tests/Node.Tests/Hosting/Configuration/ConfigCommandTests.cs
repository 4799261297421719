using System.Text.Json.Nodes;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Hosting.Configuration;

/// <summary>
/// The settings as an operator meets them, through the real p2pe-node: init writes the commented appsettings.json and the
/// node key; config show names each value's source (file, environment, command line) and masks secrets; a bad setting
/// stops run with one line and exit code 5 before anything binds.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConfigCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private NodeWorkspace _workspace = null!;

    public async Task InitializeAsync()
    {
        var chain = new LiveChain();
        _workspace = await NodeWorkspace.InitAsync(chain.Document.ToJson(), chain.Keys.Validator);
    }

    public async Task DisposeAsync() => await _workspace.DisposeAsync();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Init_WritesTheCommentedSettingsAndANodeKeyOnlyItsOwnerReads()
    {
        var data = new DataDirectory(_workspace.DataDir);
        Assert.Contains("// p2pe-node settings for this data directory", File.ReadAllText(data.SettingsFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.NodeKeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data.Path));
        // The node key is not the validator key.
        Assert.NotEqual(NodeKey.Read(data.NodeKeyFile).Address, new LiveChain().Keys.Validator.Address);
    }

    [Fact]
    public async Task ConfigShow_NamesWhereEachValueCameFrom_AndMasksSecrets()
    {
        var environment = new Dictionary<string, string> { ["P2PE_Node__HeartbeatMs"] = "250", ["P2PE_Node__Operations__Tls__Password"] = "s3cret" };
        // A TLS password is only accepted with a certificate it opens (config show checks the settings as run does).
        TestCertificate.CreatePkcs12(Path.Combine(_workspace.DataDir, "ops.pfx"), "s3cret");
        var (exit, output, error) = await NodeExecutable.RunSeparatelyAsync(
            ["config", "show", "--data-dir", _workspace.DataDir, "--port", "6200", "--set", "Node:LogFormat=json",
             "--set", "Node:Operations:Tls:CertificateFile=ops.pfx", "--json"], _workspace.Root, Limit, environment);
        Assert.True(exit == 0, output + error);
        var rows = JsonNode.Parse(output)!["settings"]!.AsArray().ToDictionary(r => (string)r!["key"]!, r => ((string?)r!["value"], (string)r["source"]!));
        string file = $"file {Path.Combine(_workspace.DataDir, NodeConfiguration.FileName)}";
        Assert.Equal(("250", "environment P2PE_Node__HeartbeatMs"), rows["Node:HeartbeatMs"]);
        Assert.Equal(("6200", "command line"), rows["Node:Api:Port"]);
        Assert.Equal(("json", "command line"), rows["Node:LogFormat"]);
        Assert.Equal(("127.0.0.1", file), rows["Node:Api:Address"]);
        Assert.Equal(("***", "environment P2PE_Node__Operations__Tls__Password"), rows["Node:Operations:Tls:Password"]);
        Assert.DoesNotContain("s3cret", output);

        // The table for people lists the same.
        (exit, output, _) = await NodeExecutable.RunSeparatelyAsync(["config", "show", "--data-dir", _workspace.DataDir], _workspace.Root, Limit);
        Assert.Equal(0, exit);
        Assert.Matches(@"Node:ConsensusNice\s+-10\s+file ", output);
    }

    [Theory]
    [InlineData("Node:Api:Port=70000", "error: Node:Api:Port must be an integer in [0, 65535], got '70000'")]
    [InlineData("Node:Api:Address=0.0.0.0", "error: Node:Api:Address must be a loopback address while Node:Api:Tls:CertificateFile is empty (serving cleartext on every network needs Node:Api:AllowInsecure=true), got '0.0.0.0'")]
    [InlineData("Node:Api:Tls:CertificateFile=missing.pem", "error: Node:Api:Tls:CertificateFile must be an existing file")]
    public async Task Run_WithABadSetting_StopsWithOneLine_AndExitCode5(string assignment, string line)
    {
        // --port is a flag for Node:Api:Port and wins over --set, so it is left out where the assignment is the port.
        string[] port = assignment.StartsWith("Node:Api:Port=", StringComparison.Ordinal) ? [] : ["--port", "0"];
        var (exit, output, error) = await NodeExecutable.RunSeparatelyAsync(
            ["run", "--data-dir", _workspace.DataDir, "--password-file", _workspace.PasswordFile, .. port, "--set", assignment], _workspace.Root, Limit);
        Assert.Equal(NodeExitCode.BadSetting, exit);
        Assert.StartsWith(line, error.Trim());
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("listening", output);
    }
}
