using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A temp directory for one node under test: the genesis, password and validator key files the test writes, the
/// data directory made from them by the real <c>p2pe-node init</c>, and one log file for every run on it.
/// Disposing kills every node started from it, then deletes the directory.
/// </summary>
public sealed class NodeWorkspace : IAsyncDisposable
{
    public const string Password = "test-only-password";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly List<NodeProcess> _nodes = [];

    private NodeWorkspace(string root)
    {
        Root = root;
    }

    public string Root { get; }
    public string GenesisFile => Path.Combine(Root, "genesis.json");
    public string PasswordFile => Path.Combine(Root, "password.txt");
    public string ValidatorKeyFile => Path.Combine(Root, "validator.key");
    public string DataDir => Path.Combine(Root, "data");
    public string LogFile => Path.Combine(Root, "node.log");

    /// <summary>Writes <paramref name="genesisJson"/> and the validator key, then runs <c>p2pe-node init</c> (which must exit 0).</summary>
    public static async Task<NodeWorkspace> InitAsync(string genesisJson, PrivateKey validator)
    {
        var workspace = new NodeWorkspace(Path.Combine(Path.GetTempPath(), "p2pe-node-process-" + Guid.NewGuid().ToString("N")));
        try
        {
            Directory.CreateDirectory(workspace.Root);
            await File.WriteAllTextAsync(workspace.GenesisFile, genesisJson);
            await File.WriteAllTextAsync(workspace.PasswordFile, Password + "\n");
            await File.WriteAllTextAsync(workspace.ValidatorKeyFile, "0x" + Convert.ToHexStringLower(validator.Bytes));
            var (exitCode, output) = await workspace.RunAsync("init", "--genesis", workspace.GenesisFile, "--data-dir", workspace.DataDir,
                "--password-file", workspace.PasswordFile, "--validator-key-file", workspace.ValidatorKeyFile);
            if (exitCode != 0) throw new InvalidOperationException($"p2pe-node init exited {exitCode}:\n{output}");
            return workspace;
        }
        catch
        {
            await workspace.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <c>p2pe-node run</c> on the data directory; the workspace kills it on dispose if the test does not.</summary>
    public async Task<NodeProcess> StartNodeAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var node = await NodeProcess.StartAsync(DataDir, PasswordFile, LogFile, settings: settings);
        lock (_nodes) _nodes.Add(node);
        return node;
    }

    /// <summary><c>p2pe-node verify --data-dir</c>: exit code and output.</summary>
    public Task<(int ExitCode, string Output)> VerifyAsync() => RunAsync("verify", "--data-dir", DataDir);

    public async ValueTask DisposeAsync()
    {
        List<NodeProcess> nodes;
        lock (_nodes) nodes = [.. _nodes];
        foreach (var node in nodes) await node.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* best effort on a temp dir */ }
        catch (UnauthorizedAccessException) { /* best effort on a temp dir */ }
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => NodeExecutable.RunAsync(arguments, Root, CommandTimeout);
}
