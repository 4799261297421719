using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// The harness's genesis in a store, a mempool and a single-validator engine on a manual clock. Given a grid model, the
/// engine checks contracts against it as a node does (and as <c>p2pe-node verify</c> replays them).
/// </summary>
public sealed class TestNode
{
    public LedgerHarness Chain { get; }
    public MemoryLedgerStore Store { get; } = new();
    public ManualClock Clock { get; }
    public Mempool Mempool { get; }
    public SingleValidatorEngine Engine { get; }
    public BlockExecutor Executor { get; }

    public TestNode(long heartbeatMs = 1000, int maxBlockTransactions = 5000, LedgerHarness? chain = null, byte[]? gridModel = null)
    {
        Chain = chain ?? new();
        var (changes, appHash) = GenesisState.Build(Chain.Document, gridModel);
        Store.InitializeGenesis(Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(Chain.Document.ToJson())), changes, appHash);
        Clock = new ManualClock(LedgerHarness.Genesis.AddSeconds(10));
        var verifier = new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default);
        Executor = new BlockExecutor(Chain.Parameters, verifier, gridModel is null ? new UnmodelledGrid() : new GridAdmission());
        SingleValidatorEngine? engine = null;
        Mempool = new Mempool(verifier, Chain.Parameters, Store, () => engine?.LastBlockTimeMs ?? Chain.Parameters.GenesisTimeMs);
        Engine = engine = new SingleValidatorEngine(Executor, Store, Mempool, Chain.Validator, Clock, heartbeatMs, maxBlockTransactions);
    }
}
