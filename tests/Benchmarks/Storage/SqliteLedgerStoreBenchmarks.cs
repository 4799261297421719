using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Benchmarks.Storage;

/// <summary>
/// Per-write cost of committing a 5,000-change block and per-read cost of point reads, against the executor's own
/// in-memory cost of staging the same writes (baseline). Targets on the 2-core dev box: ≥ 25,000 state writes/s
/// (≤ 40 µs a write, fsync included) and ≥ 100,000 point reads/s (≤ 10 µs a read).
/// </summary>
[MemoryDiagnoser]
public class SqliteLedgerStoreBenchmarks
{
    private const int ChangesPerBlock = 5_000;
    private const int Reads = 100_000;
    private const int StoredKeys = 100_000;

    private readonly Hash32 _appHash = Keccak256.Hash("benchmark app hash"u8);
    private string _directory = "";
    private SqliteLedgerStore _store = null!;
    private StateChange[] _changes = [];
    private string[] _readKeys = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "p2pe-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _store = SqliteLedgerStore.Open(Path.Combine(_directory, "ledger.db"));
        var genesis = Enumerable.Range(0, StoredKeys).Select(i => new StateChange(Key(i), new byte[64])).ToArray();
        _store.InitializeGenesis(Keccak256.Hash("benchmark genesis"u8), genesis, _appHash);
        // Every block rewrites every 50th account: steady-state overwrites spread through the b-tree.
        _changes = Enumerable.Range(0, ChangesPerBlock).Select(i => new StateChange(Key(i * (StoredKeys / ChangesPerBlock)), new byte[80])).ToArray();
        // A fixed pseudo-random order, so reads do not simply walk the b-tree's pages in sequence.
        var random = new Random(42);
        _readKeys = Enumerable.Range(0, Reads).Select(_ => Key(random.Next(StoredKeys))).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ChangesPerBlock)]
    public int StageWritesInMemory()
    {
        var overlay = new StateOverlay(_store);
        foreach (var (key, value) in _changes) overlay.Set(key, value!);
        return overlay.Changes().Count;
    }

    [Benchmark(OperationsPerInvoke = ChangesPerBlock)]
    public void CommitBlockOf5000Changes()
    {
        // Values change every round so SQLite really rewrites the pages.
        _round++;
        foreach (var change in _changes) change.Value![0] = (byte)_round;
        var header = new BlockHeader
        {
            ChainId = 1,
            Height = _store.Height + 1,
            TimeMs = _round,
            PreviousHash = ByteString.CopyFrom(_store.LastBlockHash.Bytes),
            TransactionsRoot = ByteString.CopyFrom(new byte[32]),
            AppHash = ByteString.CopyFrom(_appHash.Bytes),
            Proposer = ByteString.CopyFrom(new byte[20]),
            ValidatorSetHash = ByteString.CopyFrom(new byte[32]),
            NextValidatorSetHash = ByteString.CopyFrom(new byte[32]),
        };
        _store.Commit(new Block { Header = header }, BlockHeaderHashing.Hash(header), [], _changes, _appHash);
    }

    [Benchmark(OperationsPerInvoke = Reads)]
    public int PointReads()
    {
        int found = 0;
        foreach (var key in _readKeys) found += _store.Get(key)?.Length ?? 0;
        return found;
    }

    private static string Key(int i) => StateKeys.AccountPrefix + StateKeys.Number((ulong)i);
}
