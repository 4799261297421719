using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Node.Anchoring;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.Engine;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.Operations;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node run</c>: one validator node in a Kestrel host — the public API (gRPC with health and reflection, and
/// gRPC-Web), the operations endpoint (/healthz, /readyz, /metrics) on the addresses <see cref="NodeEndpoints"/> binds,
/// and consensus (the Tendermint driver on its thread). It holds the data directory's lock from <see cref="Create(NodeConfiguration, string, TimeProvider?)"/>
/// to <see cref="DisposeAsync"/>. On SIGTERM or Ctrl+C it ends its streams at once, gives the block in progress and the
/// calls in flight <see cref="NodeOptions.ShutdownGraceMs"/>, closes the store and returns. Tests start it in-process on port 0.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private readonly WebApplication _app;
    private readonly NodeEndpoints _endpoints;
    private readonly ILedgerStore _store;
    private readonly DataDirectoryLock _lock;
    private bool _ran;

    private NodeHost(WebApplication app, NodeEndpoints endpoints, ILedgerStore store, DataDirectoryLock dataLock)
    {
        _app = app;
        _endpoints = endpoints;
        _store = store;
        _lock = dataLock;
    }

    /// <summary>The host's services (its logger factory and options), for tests that inspect the configuration.</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>The API address (valid after <see cref="StartAsync"/>): h2c without TLS, https with it.</summary>
    public Uri Address => _endpoints.ApiAddress;

    /// <summary>The cleartext HTTP/1.1 address for gRPC-Web and /healthz; null with TLS or when Node:Api:WebPort is -1.</summary>
    public Uri? WebAddress => _endpoints.WebAddress;

    /// <summary>The operations endpoint (/healthz, /readyz, /metrics); null when Node:Operations:Port is -1.</summary>
    public Uri? OperationsAddress => _endpoints.OperationsAddress;

    /// <summary>The peer endpoint's address (valid after <see cref="StartAsync"/>); null without a peer network (Node:Peer:Peers and Observers empty).</summary>
    public Uri? PeerAddress => _endpoints.PeerAddress;

    /// <summary>The peer network; null without one.</summary>
    public PeerNetwork? Peers => _app.Services.GetService<PeerNetwork>();

    /// <summary>The snapshot writer and attestor (tests wait for it to finish a snapshot height).</summary>
    public StateRootAttestor Snapshots => _app.Services.GetRequiredService<StateRootAttestor>();

    /// <summary>Readiness as /readyz reports it (tests set <see cref="NodeReadiness.CatchingUp"/>).</summary>
    public NodeReadiness Readiness => _app.Services.GetRequiredService<NodeReadiness>();

    /// <summary>Builds the host from configuration keys (tests): <c>Node:DataDir</c> and any other setting, as command-line values.</summary>
    public static NodeHost Create(IReadOnlyDictionary<string, string?> settings, string password, TimeProvider? clock = null)
    {
        var dataDir = settings.TryGetValue($"{NodeOptions.Section}:DataDir", out var dir) && dir is not null ? dir
            : throw new NodeSettingException("Node:DataDir", null, "a directory (--data-dir)");
        return Create(NodeConfiguration.Load(dataDir, settings), password, clock);
    }

    /// <summary>Builds the host with checked settings (<see cref="NodeConfiguration.Load"/>).</summary>
    public static NodeHost Create(NodeConfiguration configuration, string password, TimeProvider? clock = null)
    {
        var options = configuration.Options;
        var endpoints = new NodeEndpoints(options);
        var dataDir = new DataDirectory(options.DataDir);
        var dataLock = DataDirectoryLock.Acquire(dataDir);
        try { return Build(configuration, endpoints, dataDir, dataLock, password, clock); }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    private static NodeHost Build(NodeConfiguration configuration, NodeEndpoints endpoints, DataDirectory dataDir, DataDirectoryLock dataLock, string password, TimeProvider? clock)
    {
        var options = configuration.Options;
        var genesis = dataDir.ReadGenesis();
        var parameters = genesis.ToParameters();
        var validator = options.Observer ? null : ValidatorKey(dataDir, password);
        if (!File.Exists(dataDir.LedgerFile)) throw new NodeSetupException($"{dataDir.LedgerFile} is missing: run p2pe-node init first");
        var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
        if (store.GenesisHash != Keccak256.Hash(File.ReadAllBytes(dataDir.GenesisFile)))
        {
            store.Dispose();
            throw new NodeSetupException($"{dataDir.LedgerFile} was initialised from a different genesis than {dataDir.GenesisFile}");
        }

        clock ??= TimeProvider.System;
        var verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        var executor = new BlockExecutor(parameters, verifier, new GridAdmission(new FlowBookCache()));
        LedgerApplication? engine = null;
        var mempool = new Mempool(verifier, parameters, store, () => engine?.LastBlockTimeMs ?? parameters.GenesisTimeMs, options.MempoolMaxTransactions);
        engine = new LedgerApplication(executor, verifier, store, mempool, options.MaxBlockTransactions);
        var peerCount = new PeerCount();
        var peers = options.Peer.Enabled ? PeerNetworkFor(options.Peer, parameters.ChainId, dataDir, store, engine, mempool, validator, peerCount, clock) : null;
        var consensus = new ConsensusSetup(options.Consensus.ToDriverOptions(parameters.ChainId, options.HeartbeatMs), engine, peers ?? (Consensus.Driver.IConsensusNetwork)new NoPeers(),
            ConsensusLog(dataDir, store, out var logRepairs), validator);

        // The content root is the data directory; every setting comes from NodeConfiguration's sources, none from the
        // working directory or ASPNETCORE_* variables. Nor does it watch appsettings files for changes: the watcher sat
        // on the data directory and woke for every write of the ledger's WAL.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dataDir.Path, Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration.Root);
        NodeLogging.Configure(builder.Logging, options);
        // Setup errors are reported by the CLI in one line; the host's own "Hosting failed to start" log would add the
        // stack of a taken port. Its later messages (a failed background service) still show. The rule names the host's
        // category and carries its own level: a rule without a category is the best match for every category, and one
        // without a level lets every level through — together they replaced the configured Information with Trace, and
        // the node logged "committed block N" at Debug on every block.
        bool started = false;
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && Volatile.Read(ref started));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMilliseconds(options.ShutdownGraceMs));
        var publisher = new DispatchPublisher(store, parameters, engine.Feed, engine.LastBlockTimeMs);
        builder.WebHost.ConfigureKestrel(endpoints.Configure);

        var commits = new CommitWatch();
        var progress = new ConsensusProgress();
        var readiness = new NodeReadiness(commits, clock, options.StaleAfter);
        var grid = new GridService(store, parameters);
        builder.Services.AddNodeApi();
        builder.Services.AddSingleton(readiness);
        builder.Services.AddSingleton(peerCount);
        builder.Services.AddSingleton<ILedgerStore>(store);
        builder.Services.AddSingleton(mempool);
        builder.Services.AddSingleton<IConsensusEngine>(engine);
        builder.Services.AddSingleton(clock);
        var anchor = options.Anchor.Enabled ? AnchorMonitorFor(options.Anchor, store) : null;
        builder.Services.AddSingleton(new LedgerService(store, mempool, engine, parameters, validator?.Address, anchor, readiness, progress, peerCount));
        builder.Services.AddSingleton(new SettlementService(store, parameters));
        builder.Services.AddSingleton(new DevicesService(store, parameters, publisher, clock));
        builder.Services.AddSingleton(grid);
        builder.Services.AddSingleton<MetricsGate>();
        builder.Services.AddSingleton(services => new MetricsExport(services.GetRequiredService<IMeterFactory>(), services.GetRequiredService<MetricsGate>()));
        builder.Services.AddSingleton(services => new NodeMetrics(services.GetRequiredService<IMeterFactory>(), store, mempool, engine, commits, progress, peerCount, grid, parameters, readiness, services.GetRequiredService<MetricsGate>()));
        builder.Services.AddSingleton(services => new ConsensusDriver(consensus, mempool, clock,
            services.GetRequiredService<ILogger<ConsensusDriver>>(), options.ConsensusNice, commits,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted, progress));
        builder.Services.AddHostedService(services => services.GetRequiredService<ConsensusDriver>());
        if (peers is not null)
        {
            builder.Services.AddSingleton(peers);
            builder.Services.AddGrpc().AddServiceOptions<PeerService>(grpc => grpc.MaxReceiveMessageSize = grpc.MaxSendMessageSize = options.Peer.MaxMessageBytes);
            builder.Services.AddHostedService(services => new PeerDialer(peers, options.Peer.PeerList, options.Peer.Limits(), clock, services.GetRequiredService<ILogger<PeerDialer>>()));
        }
        builder.Services.AddSingleton(services => new StateRootAttestor(dataDir, parameters, engine.Feed, mempool, options.AttestStateRoots ? validator : null,
            options.SnapshotsKept, services.GetRequiredService<ILoggerFactory>().CreateLogger<StateRootAttestor>()));
        if (anchor is not null)
        {
            var anchorKey = AnchorAccount(options.Anchor);
            builder.Services.AddSingleton(anchor);
            builder.Services.AddHostedService(services => new AnchoringService(
                async ct => new EvmAnchorChain(await AnchorClient.ConnectAsync(options.Anchor.EvmRpcUrl, options.Anchor.Contract, anchorKey,
                    TimeSpan.FromMilliseconds(options.Anchor.RequestTimeoutMs), ct), options.Anchor, clock),
                store, parameters, engine.Feed, validator?.Address ?? default, options.Anchor, clock, anchor,
                services.GetRequiredService<ILogger<AnchoringService>>()));
        }
        var app = builder.Build();
        if (peers is not null)
        {
            var driver = app.Services.GetRequiredService<ConsensusDriver>();
            peers.Attach(driver.Receive, driver, block => SyncedBlock.Commit(engine, block, parameters.ChainId), app.Services.GetRequiredService<ILogger<PeerNetwork>>());
            peers.Sync.StateChanged += state => readiness.CatchingUp = state;
            app.Lifetime.ApplicationStopping.Register(peers.CloseAll);
        }
        publisher.DerivationFailed += e => app.Logger.LogError(e, "dispatch instructions could not be derived; retrying with the next block");
        app.Services.GetRequiredService<StateRootAttestor>();
        // Instruments exist from the start, so the first scrape already lists every series.
        app.Services.GetRequiredService<NodeMetrics>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            Volatile.Write(ref started, true);
            foreach (var line in endpoints.Describe()) app.Logger.LogInformation("{Endpoint}", line);
        });
        // Streams wait for blocks that will not come once the node stops; ending them first lets Kestrel drain at once.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            engine.Feed.Close();
            publisher.Close();
        });
        if (validator is null) app.Logger.LogInformation("observer (no validator key: signs nothing, refuses writes) on chain {ChainId} at height {Height}; secp256k1 backend: {Backend}", parameters.ChainId, store.Height, Secp256k1.Description);
        else app.Logger.LogInformation("validator {Validator} on chain {ChainId} at height {Height}; secp256k1 backend: {Backend}", validator.Address, parameters.ChainId, store.Height, Secp256k1.Description);
        foreach (var repair in logRepairs) app.Logger.LogWarning("{Repair}", repair);
        app.UseRouting();
        app.Use(endpoints.Route);
        app.MapNodeApi();
        if (peers is not null) app.MapGrpcService<PeerService>();
        app.MapOperations(store, readiness, app.Services.GetRequiredService<MetricsExport>());
        return new NodeHost(app, endpoints, store, dataLock);
    }

    /// <summary>The validator key from its keystore; an observer (Node:Observer) has none and never reads it.</summary>
    private static PrivateKey ValidatorKey(DataDirectory dataDir, string password)
    {
        if (!File.Exists(dataDir.ValidatorKeyFile))
            throw new NodeSetupException($"{dataDir.ValidatorKeyFile} is missing: run p2pe-node init first (or set Node:Observer=true to run this directory as an observer)");
        try { return new PrivateKey(Keystore.Decrypt(File.ReadAllText(dataDir.ValidatorKeyFile), password)); }
        catch (KeystoreException e) { throw new NodeSetupException($"{dataDir.ValidatorKeyFile}: {e.Message}"); }
    }

    /// <summary>The peer network of a node with peers: its node key proves it to them, its validator key binds the two.</summary>
    private static PeerNetwork PeerNetworkFor(PeerEndpointOptions options, ulong chainId, DataDirectory dataDir, ILedgerStore store, LedgerApplication engine, Mempool mempool,
        PrivateKey? validator, PeerCount count, TimeProvider clock)
    {
        var validators = new ValidatorsInForce(engine);
        var handshake = new PeerHandshake(chainId, store.GenesisHash!.Value,
            NodeKey.Read(dataDir.NodeKeyFile), validator, validators.Contains, options.ObserverList);
        return new PeerNetwork(handshake, options.Limits(), mempool, () => store.Height, engine.CommittedBlock, validators.Contains, count, clock);
    }

    /// <summary>
    /// The consensus log directory (created on first run for a data directory made before it existed), checked before
    /// the node listens: a damaged log or last-signed guard stops the start with its reason (docs/consensus.md, "WAL").
    /// </summary>
    private static FileWalStorage ConsensusLog(DataDirectory dataDir, ILedgerStore store, out List<string> repairs)
    {
        var storage = new FileWalStorage(dataDir.ConsensusDirectory);
        var cut = repairs = [];
        try
        {
            SignGuard.Load(storage);
            new ConsensusWal(storage, cut.Add).ReadAfter(store.Height); // a torn tail is cut here, with a warning once the logger exists
        }
        catch (Exception e) when (e is WalException or InvalidOperationException)
        {
            store.Dispose();
            throw new NodeSetupException($"{dataDir.ConsensusDirectory}: {e.Message}");
        }
        return storage;
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
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException) { throw _endpoints.AddressInUse(e); }
    }

    /// <summary>Runs until shutdown (Ctrl+C, SIGTERM or <paramref name="cancellationToken"/>); the host is disposed on return.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        _ran = true;
        try { await _app.RunAsync(cancellationToken); }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException) { throw _endpoints.AddressInUse(e); }
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

