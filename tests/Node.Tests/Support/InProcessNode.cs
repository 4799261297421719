using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Consensus.Simulation;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// One node's consensus path in process, as the node wires it: a store, a mempool, the ledger application and the
/// Tendermint driver, on a virtual clock whose scheduler decides when anything runs (what the node's consensus thread
/// does, one event at a time). Its store and its consensus directory are its disk and survive <see cref="Crash"/>; the
/// rest is its memory. Every entry into the driver (boot, a message, a timer, a wake-up) is guarded: a write point of
/// a <see cref="MemoryWalStorage"/> told to crash there kills the node on the spot, as a process dies mid-write.
/// </summary>
public sealed class InProcessNode
{
    private readonly ChainParameters _parameters;
    private readonly Func<ILedgerStore> _openStore;
    private readonly Func<IGridAdmission> _grid;
    private readonly Scheduler _scheduler;
    private readonly TimeProvider _clock;
    private readonly IConsensusNetwork _network;
    private readonly DriverOptions _options;
    private readonly int _maxBlockTransactions;
    private readonly ILogger _log;
    private readonly SimRandom _random;

    /// <summary>
    /// A node of the chain <paramref name="parameters"/> whose store <paramref name="openStore"/> opens (again after a
    /// crash), with its consensus directory in <paramref name="storage"/> and validator <paramref name="key"/> (null: an
    /// observer); its timers run on <paramref name="clock"/>, driven by <paramref name="scheduler"/>.
    /// </summary>
    public InProcessNode(ChainParameters parameters, Func<ILedgerStore> openStore, IWalStorage storage, PrivateKey? key, Scheduler scheduler,
        TimeProvider clock, IConsensusNetwork network, DriverOptions options, Func<IGridAdmission>? grid = null, int maxBlockTransactions = 5000, ILogger? log = null,
        SimRandom? random = null)
    {
        _parameters = parameters;
        _openStore = openStore;
        Storage = storage;
        Key = key;
        _scheduler = scheduler;
        _clock = clock;
        _network = network;
        _options = options;
        _grid = grid ?? (() => new UnmodelledGrid());
        _maxBlockTransactions = maxBlockTransactions;
        _log = log ?? NullLogger.Instance;
        _random = random ?? new SimRandom(1); // decides how much of an unsynced write a crash keeps
        Verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        Open();
    }

    public IWalStorage Storage { get; }
    public PrivateKey? Key { get; }
    public TransactionVerifier Verifier { get; }
    public ILedgerStore Store { get; private set; } = null!;
    public Mempool Mempool { get; private set; } = null!;
    public LedgerApplication App { get; private set; } = null!;
    public BlockExecutor Executor { get; private set; } = null!;
    public TendermintDriver? Driver { get; private set; }
    public bool Up => Driver is not null;

    /// <summary>Times this node died (<see cref="Crash"/>, or a write point told to crash).</summary>
    public int Crashes { get; private set; }

    /// <summary>When set, a node that died at a write point boots again this many virtual milliseconds later.</summary>
    public long? RestartAfterCrashMs { get; set; }

    /// <summary>Raised for each decided block this node stored, and each message it signed.</summary>
    public event Action<InProcessNode, P2PEnergy.Contracts.Protos.Block>? Committed;
    public event Action<InProcessNode, P2PEnergy.Contracts.Protos.ConsensusMessage>? Signed;

    /// <summary>Raised when this node's driver finds a validator misbehaving (what the node's host turns into an Evidence transaction).</summary>
    public event Action<InProcessNode, P2PEnergy.Node.Consensus.Core.Evidence>? EvidenceFound;

    /// <summary>Raised as the node dies, once its consensus directory holds only what survived and before its store closes.</summary>
    public event Action<InProcessNode>? Crashed;

    /// <summary>Starts consensus: replays the log, or starts the next height.</summary>
    public void Boot()
    {
        if (Up) return;
        var driver = new TendermintDriver(_options, App, _network, new TimeProviderTimers(_clock, Enter), new ConsensusWal(Storage, w => _log.LogWarning("{Warning}", w)),
            Key is null ? null : SignGuard.Load(Storage), Key, _clock, _log);
        driver.Committed += block => Committed?.Invoke(this, block);
        driver.Signed += message => Signed?.Invoke(this, message);
        driver.EvidenceFound += evidence => EvidenceFound?.Invoke(this, evidence);
        Driver = driver;
        Enter(driver.Start);
    }

    /// <summary>A consensus message from <paramref name="sender"/> arrives (lost when the node is down).</summary>
    public void Receive(P2PEnergy.Contracts.Protos.ConsensusMessage message, Address sender) => Enter(() => Driver?.Receive(message, sender));

    /// <summary>The process dies: consensus, mempool and caches are gone; the store and the consensus directory stay.</summary>
    public void Crash()
    {
        Crashes++;
        Driver?.Dispose();
        Driver = null;
        if (Storage is MemoryWalStorage memory) memory.Crash(_random);
        Crashed?.Invoke(this);
        Store.Dispose();
        Open();
    }

    /// <summary>What the node's host does after consensus failed (a store commit threw): a new driver replays the log.</summary>
    public void RestartConsensus()
    {
        Driver?.Dispose();
        Driver = null;
        App.Reset();
        Boot();
    }

    // The driver's thread runs one event; a simulated crash at a write point ends the process there.
    private void Enter(Action action)
    {
        try { action(); }
        catch (SimulatedCrash)
        {
            Crash();
            if (RestartAfterCrashMs is { } delay) _scheduler.After(delay, Boot);
        }
    }

    private void Open()
    {
        Store = _openStore();
        Executor = new BlockExecutor(_parameters, Verifier, _grid());
        LedgerApplication? app = null;
        Mempool = new Mempool(Verifier, _parameters, Store, () => app?.LastBlockTimeMs ?? _parameters.GenesisTimeMs);
        // As the node's host posts a wake-up to its consensus thread: the burst submitted before it runs lands in one block.
        Mempool.Accepted += () => _scheduler.After(0, () => Enter(() => Driver?.TransactionsAvailable()));
        App = app = new LedgerApplication(Executor, Verifier, Store, Mempool, _maxBlockTransactions);
    }
}
