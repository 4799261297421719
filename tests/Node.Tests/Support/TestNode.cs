using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.Tests.Consensus.Simulation;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// The harness's genesis in a store, with the node's one consensus path for its single validator: mempool, ledger
/// application and Tendermint driver on a virtual clock (10 s after genesis at the start), no peers.
/// </summary>
public sealed class TestNode
{
    public TestNode(long heartbeatMs = 1000, int maxBlockTransactions = 5000, LedgerHarness? chain = null, Func<IGridAdmission>? grid = null, byte[]? gridModel = null)
    {
        Chain = chain ?? new LedgerHarness();
        var (changes, appHash) = GenesisState.Build(Chain.Document, gridModel);
        Store.InitializeGenesis(Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(Chain.Document.ToJson())), changes, appHash);
        Scheduler = new Scheduler(LedgerHarness.Genesis.AddSeconds(10).ToUnixTimeMilliseconds());
        Clock = new VirtualClock(Scheduler);
        LocalClock = new SkewedClock(Clock);
        Options = new DriverOptions(LedgerHarness.ChainId, heartbeat: TimeSpan.FromMilliseconds(heartbeatMs));
        // Given a grid model, the node checks contracts against it as a node does (and as p2pe-node verify replays them).
        grid ??= gridModel is null ? null : () => new GridAdmission(new FlowBookCache());
        Node = new InProcessNode(Chain.Parameters, () => Store, Storage, Chain.Validator, Scheduler, LocalClock, new NoPeers(), Options, grid, maxBlockTransactions);
    }

    public LedgerHarness Chain { get; }
    public MemoryLedgerStore Store { get; } = new();
    public MemoryWalStorage Storage { get; } = new();
    public Scheduler Scheduler { get; }
    public VirtualClock Clock { get; }
    /// <summary>The node's own clock: the virtual time plus a skew a test may set.</summary>
    public SkewedClock LocalClock { get; }
    public DriverOptions Options { get; }
    public InProcessNode Node { get; }
    public Mempool Mempool => Node.Mempool;
    public LedgerApplication Engine => Node.App;
    public BlockExecutor Executor => Node.Executor;

    /// <summary>Virtual unix milliseconds now.</summary>
    public long NowMs => Scheduler.Now;

    /// <summary>
    /// Starts consensus when it has not started, then runs the clock until the next block is stored, at most
    /// <paramref name="limit"/> (default 10 s) of virtual time: that block, or null when none was.
    /// </summary>
    public CommittedBlock? CommitNext(TimeSpan? limit = null)
    {
        CommittedBlock? committed = null;
        void Take(CommittedBlock block) => committed ??= block;
        Engine.Feed.Committed += Take;
        try
        {
            Node.Boot();
            if (committed is null) Scheduler.RunUntil(NowMs + (long)(limit ?? TimeSpan.FromSeconds(10)).TotalMilliseconds, () => committed is not null);
            return committed;
        }
        finally { Engine.Feed.Committed -= Take; }
    }

    /// <summary>Runs whatever falls due in the next <paramref name="span"/> of virtual time.</summary>
    public void RunFor(TimeSpan span)
    {
        Node.Boot();
        Scheduler.RunUntil(NowMs + (long)span.TotalMilliseconds);
    }
}
