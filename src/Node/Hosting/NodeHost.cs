using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Api.Transport;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node run</c>: one validator node in a Kestrel host — the ledger API over gRPC (h2c on 127.0.0.1),
/// /healthz, and the consensus driver. Tests start it in-process on port 0.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;
    private readonly ILedgerStore _store;
    private bool _ran;

    private NodeHost(WebApplication app, ListenOptions listen, ILedgerStore store)
    {
        _app = app;
        _listen = listen;
        _store = store;
    }

    /// <summary>The bound API address (valid after <see cref="StartAsync"/>).</summary>
    public Uri Address => new($"http://127.0.0.1:{_listen.IPEndPoint!.Port}");

    /// <summary>
    /// Builds the host. Settings come from appsettings.json "Node", P2PE_Node__* variables and
    /// <paramref name="overrides"/> (the command line), in rising precedence.
    /// </summary>
    public static NodeHost Create(IReadOnlyDictionary<string, string?> overrides, string password, TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddJsonFile("appsettings.json", optional: true);
        builder.Configuration.AddEnvironmentVariables("P2PE_");
        builder.Configuration.AddInMemoryCollection(overrides);
        var options = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        options.Validate();

        var dataDir = new DataDirectory(options.DataDir);
        var genesis = dataDir.ReadGenesis();
        var parameters = genesis.ToParameters();
        if (!File.Exists(dataDir.ValidatorKeyFile)) throw new NodeSetupException($"{dataDir.ValidatorKeyFile} is missing: run p2pe-node init first");
        PrivateKey validator;
        try { validator = new PrivateKey(Keystore.Decrypt(File.ReadAllText(dataDir.ValidatorKeyFile), password)); }
        catch (KeystoreException e) { throw new NodeSetupException($"{dataDir.ValidatorKeyFile}: {e.Message}"); }
        if (!File.Exists(dataDir.LedgerFile)) throw new NodeSetupException($"{dataDir.LedgerFile} is missing: run p2pe-node init first");
        var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
        if (store.GenesisHash != Keccak256.Hash(File.ReadAllBytes(dataDir.GenesisFile)))
        {
            store.Dispose();
            throw new NodeSetupException($"{dataDir.LedgerFile} was initialised from a different genesis than {dataDir.GenesisFile}");
        }

        clock ??= TimeProvider.System;
        var verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        var executor = new BlockExecutor(parameters, verifier, new GridAdmission());
        SingleValidatorEngine? engine = null;
        var mempool = new Mempool(verifier, parameters, store, () => engine?.LastBlockTimeMs ?? parameters.GenesisTimeMs, options.MempoolMaxTransactions);
        engine = new SingleValidatorEngine(executor, store, mempool, validator, clock, options.HeartbeatMs, options.MaxBlockTransactions);

        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenGrpcLoopback(options.Port, l => listen = l));
        builder.Services.AddGrpcTransport();
        builder.Services.AddSingleton<ILedgerStore>(store);
        builder.Services.AddSingleton(mempool);
        builder.Services.AddSingleton<IConsensusEngine>(engine);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(new LedgerService(store, mempool, engine, parameters, validator.Address));
        builder.Services.AddSingleton(new SettlementService(store, parameters));
        builder.Services.AddSingleton(new DevicesService(store, parameters, new DispatchPublisher(store, parameters, engine.Feed, engine.LastBlockTimeMs), clock));
        builder.Services.AddSingleton(new GridService(store, parameters));
        builder.Services.AddHostedService(services => new ConsensusDriver(engine, mempool, clock,
            services.GetRequiredService<ILogger<ConsensusDriver>>(), options.ConsensusNice));
        var app = builder.Build();
        app.Logger.LogInformation("validator {Validator} on chain {ChainId} at height {Height}; secp256k1 backend: {Backend}", validator.Address, parameters.ChainId, store.Height, Secp256k1.Description);
        app.MapGet("/healthz", () => Results.Text("ok"));
        LedgerService.Map(app);
        SettlementService.Map(app);
        DevicesService.Map(app);
        GridService.Map(app);
        return new NodeHost(app, listen!, store);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    /// <summary>Runs until shutdown (Ctrl+C, SIGTERM or <paramref name="cancellationToken"/>); the host is disposed on return.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _ran = true;
        await _app.RunAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // RunAsync already stopped and disposed the app; only a started (or never started) host is stopped here.
        if (!_ran)
        {
            using (var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try { await _app.StopAsync(shutdown.Token); }
                catch (InvalidOperationException) { /* never started */ }
            }
            await _app.DisposeAsync();
        }
        // The store is registered as an instance, so the container does not own (or dispose) it.
        _store.Dispose();
    }
}
