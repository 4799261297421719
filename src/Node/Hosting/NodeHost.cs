using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Node.Anchoring;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node run</c>: one validator node in a Kestrel host — the gRPC API (h2c on 127.0.0.1; with health and
/// reflection), gRPC-Web and /healthz over HTTP/1.1 on a second port, and the consensus driver. It holds the data
/// directory's lock from <see cref="Create"/> to <see cref="DisposeAsync"/>. On SIGTERM or Ctrl+C it ends its streams at
/// once, gives the block in progress and the calls in flight <see cref="NodeOptions.ShutdownGraceMs"/>, closes the store
/// and returns. Tests start it in-process on port 0.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;
    private readonly ListenOptions? _web;
    private readonly ILedgerStore _store;
    private readonly DataDirectoryLock _lock;
    private readonly NodeOptions _options;
    private bool _ran;

    private NodeHost(WebApplication app, ListenOptions listen, ListenOptions? web, ILedgerStore store, DataDirectoryLock dataLock, NodeOptions options)
    {
        _app = app;
        _listen = listen;
        _web = web;
        _store = store;
        _lock = dataLock;
        _options = options;
    }

    /// <summary>The bound gRPC address, HTTP/2 cleartext (valid after <see cref="StartAsync"/>).</summary>
    public Uri Address => new($"http://127.0.0.1:{_listen.IPEndPoint!.Port}");

    /// <summary>The bound HTTP/1.1 address for gRPC-Web and /healthz; null when Node:WebPort is -1.</summary>
    public Uri? WebAddress => _web is null ? null : new($"http://127.0.0.1:{_web.IPEndPoint!.Port}");

    /// <summary>
    /// Builds the host. Settings come from appsettings.json "Node", P2PE_Node__* variables and
    /// <paramref name="overrides"/> (the command line), in rising precedence.
    /// </summary>
    public static NodeHost Create(IReadOnlyDictionary<string, string?> overrides, string password, TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Defaults below every other source: ASP.NET Core logs each request at Information ("Request starting …") and
        // Grpc.AspNetCore each cancelled stream with its stack (every device reconnect), which a production node must
        // not do; the API's own per-call line is Debug (ApiCallInterceptor).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning", ["Logging:LogLevel:Grpc"] = "Warning",
            },
        });
        builder.Configuration.AddJsonFile("appsettings.json", optional: true);
        builder.Configuration.AddEnvironmentVariables("P2PE_");
        builder.Configuration.AddInMemoryCollection(overrides);
        var options = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        options.Validate();

        var dataDir = new DataDirectory(options.DataDir);
        var dataLock = DataDirectoryLock.Acquire(dataDir);
        try { return Build(builder, options, dataDir, dataLock, password, clock); }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    private static NodeHost Build(WebApplicationBuilder builder, NodeOptions options, DataDirectory dataDir, DataDirectoryLock dataLock, string password, TimeProvider? clock)
    {
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

        // Setup errors are reported by the CLI in one line; the host's own "Hosting failed to start" log would add the
        // stack of a taken port. Its later messages (a failed background service) still show.
        bool started = false;
        builder.Logging.AddFilter((category, _) => Volatile.Read(ref started) || category != HostCategory);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMilliseconds(options.ShutdownGraceMs));
        var publisher = new DispatchPublisher(store, parameters, engine.Feed, engine.LastBlockTimeMs);

        ListenOptions? listen = null, web = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Without TLS there is no ALPN: a cleartext endpoint speaks either h2c with prior knowledge (what gRPC
            // clients send) or HTTP/1.1 (what gRPC-Web in a browser needs), so each gets its own port (docs/node.md).
            kestrel.Listen(IPAddress.Loopback, options.Port, l => { l.Protocols = HttpProtocols.Http2; listen = l; });
            if (options.EffectiveWebPort >= 0)
                kestrel.Listen(IPAddress.Loopback, options.EffectiveWebPort, l => { l.Protocols = HttpProtocols.Http1; web = l; });
        });
        var commits = new CommitWatch();
        builder.Services.AddNodeApi();
        builder.Services.AddSingleton(new CommitHealthCheck(commits, clock, CommitHealthCheck.StaleAfterFor(options.HeartbeatMs)));
        builder.Services.AddSingleton<ILedgerStore>(store);
        builder.Services.AddSingleton(mempool);
        builder.Services.AddSingleton<IConsensusEngine>(engine);
        builder.Services.AddSingleton(clock);
        var anchor = options.Anchor.Enabled ? AnchorMonitorFor(options.Anchor, store) : null;
        builder.Services.AddSingleton(new LedgerService(store, mempool, engine, parameters, validator.Address, anchor));
        builder.Services.AddSingleton(new SettlementService(store, parameters));
        builder.Services.AddSingleton(new DevicesService(store, parameters, publisher, clock));
        builder.Services.AddSingleton(new GridService(store, parameters));
        builder.Services.AddHostedService(services => new ConsensusDriver(engine, mempool, clock,
            services.GetRequiredService<ILogger<ConsensusDriver>>(), options.ConsensusNice, commits,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted));
        if (anchor is not null)
        {
            var anchorKey = AnchorAccount(options.Anchor);
            builder.Services.AddSingleton(anchor);
            builder.Services.AddHostedService(services => new AnchoringService(
                async ct => new EvmAnchorChain(await AnchorClient.ConnectAsync(options.Anchor.EvmRpcUrl, options.Anchor.Contract, anchorKey,
                    TimeSpan.FromMilliseconds(options.Anchor.RequestTimeoutMs), ct), options.Anchor, clock),
                store, parameters, engine.Feed, validator.Address, options.Anchor, clock, anchor,
                services.GetRequiredService<ILogger<AnchoringService>>()));
        }
        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() => Volatile.Write(ref started, true));
        // Streams wait for blocks that will not come once the node stops; ending them first lets Kestrel drain at once.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            engine.Feed.Close();
            publisher.Close();
        });
        app.Logger.LogInformation("validator {Validator} on chain {ChainId} at height {Height}; secp256k1 backend: {Backend}", validator.Address, parameters.ChainId, store.Height, Secp256k1.Description);
        app.MapNodeApi();
        return new NodeHost(app, listen!, web, store, dataLock, options);
    }

    private static AnchorMonitor AnchorMonitorFor(AnchorOptions anchor, ILedgerStore store)
    {
        if (!Contracts.Crypto.Address.TryParse(anchor.Contract, out var contract, out var why)) throw new NodeSetupException($"Node:Anchor:Contract '{anchor.Contract}': {why}");
        return new AnchorMonitor(contract.ToString(), () => store.Height);
    }

    /// <summary>The Ethereum account that pays for checkpoints, from its keystore v3 file (password file or P2PE_ANCHOR_PASSWORD).</summary>
    private static PrivateKey AnchorAccount(AnchorOptions anchor)
    {
        if (!File.Exists(anchor.KeystoreFile)) throw new NodeSetupException($"Node:Anchor:KeystoreFile {anchor.KeystoreFile} does not exist");
        string password;
        if (anchor.PasswordFile.Length > 0)
        {
            if (!File.Exists(anchor.PasswordFile)) throw new NodeSetupException($"Node:Anchor:PasswordFile {anchor.PasswordFile} does not exist");
            password = File.ReadAllLines(anchor.PasswordFile).FirstOrDefault() ?? "";
        }
        else password = Environment.GetEnvironmentVariable(AnchorOptions.PasswordVariable)
            ?? throw new NodeSetupException($"no password for the anchor keystore: set Node:Anchor:PasswordFile or {AnchorOptions.PasswordVariable}");
        try { return new PrivateKey(Keystore.Decrypt(File.ReadAllText(anchor.KeystoreFile), password)); }
        catch (KeystoreException e) { throw new NodeSetupException($"{anchor.KeystoreFile}: {e.Message}"); }
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try { await _app.StartAsync(cancellationToken); }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException) { throw AddressInUse(e); }
    }

    /// <summary>Runs until shutdown (Ctrl+C, SIGTERM or <paramref name="cancellationToken"/>); the host is disposed on return.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _ran = true;
        try { await _app.RunAsync(cancellationToken); }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException) { throw AddressInUse(e); }
    }

    /// <summary>
    /// Names the taken port and the option that moves it. Kestrel binds the endpoints in turn and names the one that
    /// failed in its message ("Failed to bind to address http://127.0.0.1:5081: address already in use.").
    /// </summary>
    private AddressInUseException AddressInUse(IOException e)
    {
        var web = _web is not null && e.Message.Contains($"{_web.IPEndPoint}:", StringComparison.Ordinal);
        var (port, option) = web ? (_options.EffectiveWebPort, "--web-port") : (_options.Port, "--port");
        return new($"cannot listen on 127.0.0.1:{port}: the address is in use by another process (another p2pe-node?); stop it or choose another {option}");
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
        // The store is registered as an instance, so the container does not own (or dispose) it. Disposing waits for a
        // commit in flight; a block still executing past the grace fails its next read and is abandoned, uncommitted.
        _store.Dispose();
        _lock.Dispose();
    }
}

/// <summary>The node's API address is taken; the message names it (exit code <see cref="NodeExitCode.AddressInUse"/>).</summary>
public sealed class AddressInUseException(string message) : Exception(message);
