using System.CommandLine;
using System.Globalization;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The <c>p2pe-node</c> command line: init, run, config show, verify, backup, restore, snapshot, grid; exit codes in
/// <see cref="NodeExitCode"/>.
/// </summary>
public static class NodeCli
{
    public static Task<int> RunAsync(string[] args) => Build().Parse(args).InvokeAsync();

    /// <summary>The options that choose a node's settings (run and config show take the same ones).</summary>
    internal sealed class SettingOptions
    {
        public Option<string> DataDir { get; } = new("--data-dir") { Description = "The node's data directory", Required = true };
        public Option<string?> Config { get; } = new("--config") { Description = $"Settings file instead of DATA_DIR/{NodeConfiguration.FileName}" };
        public Option<int?> Port { get; } = new("--port") { Description = "Node:Api:Port: the API's TCP port (0 = any free port)" };
        public Option<int?> WebPort { get; } = new("--web-port") { Description = "Node:Api:WebPort: cleartext gRPC-Web port (default --port + 1; 0 = any free port; -1 = off)" };
        public Option<int?> OpsPort { get; } = new("--ops-port") { Description = "Node:Operations:Port: /healthz, /readyz, /metrics (default 5088; 0 = any free port; -1 = off)" };
        public Option<string[]> Set { get; } = new("--set") { Description = "Any setting, KEY=VALUE (e.g. --set Node:Api:Address=0.0.0.0); repeatable", AllowMultipleArgumentsPerToken = false };

        public IEnumerable<Option> All => [DataDir, Config, Port, WebPort, OpsPort, Set];

        public NodeConfiguration Load(ParseResult result)
        {
            var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in NodeConfiguration.ParseAssignments(result.GetValue(Set) ?? [])) flags[key] = value;
            if (result.GetValue(Port) is { } p) flags["Node:Api:Port"] = p.ToString(CultureInfo.InvariantCulture);
            if (result.GetValue(WebPort) is { } w) flags["Node:Api:WebPort"] = w.ToString(CultureInfo.InvariantCulture);
            if (result.GetValue(OpsPort) is { } o) flags["Node:Operations:Port"] = o.ToString(CultureInfo.InvariantCulture);
            return NodeConfiguration.Load(result.GetValue(DataDir)!, flags, result.GetValue(Config));
        }
    }

    /// <summary>The command tree (separate from <see cref="RunAsync"/> so tests can invoke it).</summary>
    public static RootCommand Build()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The node's data directory", Required = true };
        var passwordFile = new Option<string?>("--password-file") { Description = $"File whose first line is the validator key password (else {DataDirectory.PasswordVariable})" };
        var genesis = new Option<string>("--genesis") { Description = "Genesis JSON file to start the chain from", Required = true };
        var validatorKey = new Option<string?>("--validator-key-file") { Description = "Import this hex private key as the validator key instead of generating one" };

        var observer = new Option<bool>("--observer") { Description = "An observer's data directory: no validator key (and no password); run follows the chain, signs nothing and refuses writes" };
        var init = new Command("init", "Create a data directory: genesis copy, validator keystore, node key, commented appsettings.json, genesis state") { genesis, dataDir, passwordFile, validatorKey, observer };
        init.SetAction(result => Guard(() =>
        {
            if (result.GetValue(observer))
            {
                if (result.GetValue(validatorKey) is not null) throw new NodeSetupException("--observer takes no --validator-key-file: an observer has no validator key");
                NodeInitializer.InitializeObserver(result.GetValue(genesis)!, new DataDirectory(result.GetValue(dataDir)!));
                Console.WriteLine($"initialised {result.GetValue(dataDir)}; observer (no validator key); settings in {new DataDirectory(result.GetValue(dataDir)!).SettingsFile}");
                return Task.FromResult(NodeExitCode.Ok);
            }
            var keyFile = result.GetValue(validatorKey);
            var key = keyFile is null ? null : PrivateKey.Parse(File.ReadAllText(keyFile).Trim());
            var address = NodeInitializer.Initialize(result.GetValue(genesis)!, new DataDirectory(result.GetValue(dataDir)!), DataDirectory.ReadPassword(result.GetValue(passwordFile)), key);
            Console.WriteLine($"initialised {result.GetValue(dataDir)}; validator {address}; settings in {new DataDirectory(result.GetValue(dataDir)!).SettingsFile}");
            foreach (var advice in GenesisDocument.Parse(File.ReadAllText(result.GetValue(genesis)!)).Advice())
                Console.Error.WriteLine($"warning: {advice}");
            return Task.FromResult(NodeExitCode.Ok);
        }));

        var settings = new SettingOptions();
        var run = new Command("run", "Run the node: the API, the operations endpoint (/healthz /readyz /metrics) and single-validator consensus") { passwordFile };
        foreach (var option in settings.All) run.Options.Add(option);
        run.SetAction((result, cancellationToken) => Guard(async () =>
        {
            var configuration = settings.Load(result);
            // An observer holds no validator key, so it needs no password.
            var password = configuration.Options.Observer ? "" : DataDirectory.ReadPassword(result.GetValue(passwordFile));
            await using var host = NodeHost.Create(configuration, password);
            await host.RunAsync(cancellationToken);
            return NodeExitCode.Ok;
        }));

        var verify = new Command("verify", "Replay every stored block (from genesis, or from a snapshot's height) and compare app hashes") { dataDir };
        verify.SetAction(result => Guard(() =>
        {
            var directory = new DataDirectory(result.GetValue(dataDir)!);
            // verify compares the final state with the store, which a running node keeps changing: it waits its turn.
            using var dataLock = DataDirectoryLock.Acquire(directory);
            var document = directory.ReadGenesis();
            using var store = SqliteLedgerStore.Open(directory.LedgerFile);
            // A chain that starts at a snapshot replays from the state file import kept beside it.
            var snapshot = store.Base() is { } start ? (start, SnapshotFile.Read(StateRootAttestor.BaseFileOf(directory)).Entries) : ((SnapshotBase, IEnumerable<KeyValuePair<string, byte[]>>)?)null;
            var mismatch = ChainVerifier.Verify(document, store, directory.ReadGridModel(document), snapshot);
            string replayed = snapshot is { } from ? $"{store.Height - from.Item1.Height} blocks after the snapshot at {from.Item1.Height}" : $"{store.Height} blocks";
            Console.WriteLine(mismatch is null ? $"OK: {replayed} replay to app hash {store.AppHash}" : $"MISMATCH {mismatch}");
            return Task.FromResult(mismatch is null ? NodeExitCode.Ok : NodeExitCode.VerifyMismatch);
        }));

        var root = new RootCommand("p2pe-node: a P2PEnergy ledger node")
        {
            init, run, ConfigCommand.Build(settings), verify, SnapshotCommands.Build(dataDir, passwordFile, validatorKey), GridCommand.Build(),
        };
        foreach (var command in BackupCommands.Build(dataDir)) root.Subcommands.Add(command);
        return root;
    }

    // Setup errors are the operator's to fix: one line on stderr and an exit code of its own, not a stack trace.
    internal static async Task<int> Guard(Func<Task<int>> action)
    {
        try { return await action(); }
        catch (Exception e) when (ExitCodeOf(e) is { } code)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message.ReplaceLineEndings(" ")}");
            return code;
        }
    }

    private static int? ExitCodeOf(Exception e) => e switch
    {
        DataDirectoryInUseException => NodeExitCode.DataDirectoryInUse,
        AddressInUseException => NodeExitCode.AddressInUse,
        NodeSettingException => NodeExitCode.BadSetting,
        SnapshotRejection => NodeExitCode.SnapshotRejected,
        NodeSetupException or ArgumentException or FormatException or LedgerStoreException or IOException or UnauthorizedAccessException => NodeExitCode.SetupError,
        _ => null,
    };
}
