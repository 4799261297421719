using P2PEnergy.Node.Tests.Support;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Wallet.Tests.Support;

/// <summary>
/// A real <c>p2pe-node</c> on a fresh devnet genesis (60 s intervals, 10 s gate closure, genesis a few seconds ago,
/// no participants) whose authorities are the keys here. Dispose kills the node and deletes its directory.
/// </summary>
internal sealed class LiveNode : IAsyncDisposable
{
    public const ulong ChainId = 31337;
    public const ulong IntervalSeconds = 60;
    private const string Password = "test-only-password";

    private LiveNode(string root, ulong intervalSeconds, ulong gateClosureSeconds, ulong readingWindowSeconds)
    {
        Root = root;
        Interval = intervalSeconds;
        GateClosure = gateClosureSeconds;
        ReadingWindow = readingWindowSeconds;
    }

    /// <summary>This chain's interval length, gate-closure lead and reading window, s.</summary>
    public ulong Interval { get; }
    public ulong GateClosure { get; }
    public ulong ReadingWindow { get; }

    public string Root { get; }
    public PrivateKey Operator { get; } = PrivateKey.Generate();
    public PrivateKey Utility { get; } = PrivateKey.Generate();
    public PrivateKey Validator { get; } = PrivateKey.Generate();
    public NodeProcess Process { get; private set; } = null!;
    public string Url => Process.Address.ToString().TrimEnd('/');

    /// <summary>Starts a node; short intervals let a test see a contract dispatched, metered and settled.</summary>
    /// <remarks><paramref name="settings"/> runs after init, before the process starts, and gives its Node:* settings (e.g. Anchor__*).</remarks>
    public static async Task<LiveNode> StartAsync(ulong intervalSeconds = IntervalSeconds, ulong gateClosureSeconds = 10, ulong readingWindowSeconds = IntervalSeconds,
        Func<LiveNode, Task<IReadOnlyDictionary<string, string>>>? settings = null)
    {
        var node = new LiveNode(Path.Combine(Path.GetTempPath(), "p2pe-wallet-node-" + Guid.NewGuid().ToString("N")), intervalSeconds, gateClosureSeconds, readingWindowSeconds);
        try
        {
            Directory.CreateDirectory(node.Root);
            var genesis = Path.Combine(node.Root, "genesis.json");
            var password = Path.Combine(node.Root, "password.txt");
            var validatorKey = Path.Combine(node.Root, "validator.key");
            await File.WriteAllTextAsync(genesis, node.Genesis().ToJsonString());
            await File.WriteAllTextAsync(password, Password + "\n");
            await File.WriteAllTextAsync(validatorKey, Hex.Encode(node.Validator.Bytes));
            var data = Path.Combine(node.Root, "data");
            var (exit, output) = await NodeExecutable.RunAsync(["init", "--genesis", genesis, "--data-dir", data, "--password-file", password, "--validator-key-file", validatorKey],
                node.Root, TimeSpan.FromSeconds(120));
            if (exit != 0) throw new InvalidOperationException($"p2pe-node init exited {exit}:\n{output}");
            node._settings = settings is null ? null : await settings(node);
            node.Process = await NodeProcess.StartAsync(data, password, Path.Combine(node.Root, "node.log"), settings: node._settings);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private IReadOnlyDictionary<string, string>? _settings;

    /// <summary>Path of the genesis file the node was initialised from.</summary>
    public string GenesisFile => Path.Combine(Root, "genesis.json");

    /// <summary>Stops the node with SIGTERM and starts it again on the same data directory and settings.</summary>
    public async Task RestartAsync()
    {
        var (exit, _) = await Process.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"p2pe-node exited {exit} on SIGTERM\n{Process.LogTail()}");
        await Process.DisposeAsync();
        Process = await NodeProcess.StartAsync(Path.Combine(Root, "data"), Path.Combine(Root, "password.txt"), Path.Combine(Root, "node.log"), settings: _settings);
    }

    /// <summary>The start (unix seconds) of the interval <paramref name="ahead"/> intervals after the current one.</summary>
    public static ulong IntervalAhead(int ahead) => ((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds() / IntervalSeconds + (ulong)ahead) * IntervalSeconds;

    public static string Iso(ulong unixSeconds) => DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private JsonObject Genesis() => new()
    {
        ["chainId"] = ChainId,
        ["marketName"] = "Wallet test market",
        ["genesisTime"] = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["intervalSeconds"] = Interval,
        ["gateClosureSeconds"] = GateClosure,
        ["readingWindowSeconds"] = ReadingWindow,
        ["utility"] = Utility.Address.ToString(),
        ["marketOperator"] = Operator.Address.ToString(),
        ["planner"] = PrivateKey.Generate().Address.ToString(),
        ["regulator"] = PrivateKey.Generate().Address.ToString(),
        ["validators"] = new JsonArray(new JsonObject { ["address"] = Validator.Address.ToString(), ["power"] = 1, ["endpoint"] = "http://127.0.0.1:7001" }),
        ["fees"] = new JsonObject
        {
            ["dmoFixedPerContract"] = 1000, ["dmoPerKwh"] = 2000, ["gridAcrossSubstationsPerKwh"] = 10000,
            ["polrPrices"] = new JsonArray(new JsonObject { ["fromMinute"] = 0, ["sellPerKwh"] = 300000, ["buyPerKwh"] = 50000 }),
        },
    };

    public async ValueTask DisposeAsync()
    {
        if (Process is not null) await Process.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* best effort on a temp dir */ }
        catch (UnauthorizedAccessException) { /* best effort on a temp dir */ }
    }
}
