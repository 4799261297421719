using System.CommandLine;
using System.Globalization;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>The <c>p2pe-node</c> command line: init, run, verify, grid; exit codes in <see cref="NodeExitCode"/>.</summary>
public static class NodeCli
{
    public static Task<int> RunAsync(string[] args) => Build().Parse(args).InvokeAsync();

    /// <summary>The command tree (separate from <see cref="RunAsync"/> so tests can invoke it).</summary>
    public static RootCommand Build()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The node's data directory", Required = true };
        var passwordFile = new Option<string?>("--password-file") { Description = $"File whose first line is the validator key password (else {DataDirectory.PasswordVariable})" };
        var genesis = new Option<string>("--genesis") { Description = "Genesis JSON file to start the chain from", Required = true };
        var validatorKey = new Option<string?>("--validator-key-file") { Description = "Import this hex private key as the validator key instead of generating one" };
        var port = new Option<int?>("--port") { Description = "TCP port on 127.0.0.1 for gRPC, HTTP/2 cleartext (0 = any free port)" };
        var webPort = new Option<int?>("--web-port") { Description = "TCP port on 127.0.0.1 for gRPC-Web and /healthz over HTTP/1.1 (default --port + 1; 0 = any free port; -1 = off)" };

        var init = new Command("init", "Create a data directory: genesis copy, validator keystore, genesis state") { genesis, dataDir, passwordFile, validatorKey };
        init.SetAction(result => Guard(() =>
        {
            var keyFile = result.GetValue(validatorKey);
            var key = keyFile is null ? null : PrivateKey.Parse(File.ReadAllText(keyFile).Trim());
            var address = NodeInitializer.Initialize(result.GetValue(genesis)!, new DataDirectory(result.GetValue(dataDir)!), DataDirectory.ReadPassword(result.GetValue(passwordFile)), key);
            Console.WriteLine($"initialised {result.GetValue(dataDir)}; validator {address}");
            foreach (var advice in GenesisDocument.Parse(File.ReadAllText(result.GetValue(genesis)!)).Advice())
                Console.Error.WriteLine($"warning: {advice}");
            return Task.FromResult(NodeExitCode.Ok);
        }));

        var run = new Command("run", "Run the node: gRPC ledger API and /healthz on 127.0.0.1, single-validator consensus") { dataDir, port, webPort, passwordFile };
        run.SetAction((result, cancellationToken) => Guard(async () =>
        {
            var overrides = new Dictionary<string, string?> { ["Node:DataDir"] = result.GetValue(dataDir) };
            if (result.GetValue(port) is { } p) overrides["Node:Port"] = p.ToString(CultureInfo.InvariantCulture);
            if (result.GetValue(webPort) is { } w) overrides["Node:WebPort"] = w.ToString(CultureInfo.InvariantCulture);
            await using var host = NodeHost.Create(overrides, DataDirectory.ReadPassword(result.GetValue(passwordFile)));
            await host.RunAsync(cancellationToken);
            return NodeExitCode.Ok;
        }));

        var verify = new Command("verify", "Replay every stored block from genesis and compare app hashes") { dataDir };
        verify.SetAction(result => Guard(() =>
        {
            var directory = new DataDirectory(result.GetValue(dataDir)!);
            // verify compares the final state with the store, which a running node keeps changing: it waits its turn.
            using var dataLock = DataDirectoryLock.Acquire(directory);
            var document = directory.ReadGenesis();
            using var store = SqliteLedgerStore.Open(directory.LedgerFile);
            var mismatch = ChainVerifier.Verify(document, store, directory.ReadGridModel(document));
            Console.WriteLine(mismatch is null ? $"OK: {store.Height} blocks replay to app hash {store.AppHash}" : $"MISMATCH {mismatch}");
            return Task.FromResult(mismatch is null ? NodeExitCode.Ok : NodeExitCode.VerifyMismatch);
        }));

        return new RootCommand("p2pe-node: a P2PEnergy ledger node") { init, run, verify, GridCommand.Build() };
    }

    // Setup errors are the operator's to fix: one line on stderr and an exit code of its own, not a stack trace.
    private static async Task<int> Guard(Func<Task<int>> action)
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
        NodeSetupException or ArgumentException or FormatException or LedgerStoreException or IOException => NodeExitCode.SetupError,
        _ => null,
    };
}
