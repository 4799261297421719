using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using P2PEnergy.Benchmarks.Load;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Benchmarks;

/// <summary>
/// The door per contract, with allocations: <see cref="TransactionVerifier.Verify"/> (two native recoveries included)
/// and <see cref="Mempool.Submit(IReadOnlyList{byte[]}, bool)"/> of a batch of 100 signed contracts, which the mempool
/// then drops again. <c>door</c> (see <see cref="DoorCost"/>) gives the same without the recoveries.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class DoorBenchmarks
{
    private const int Batch = 100;
    private string _directory = "";
    private SqliteLedgerStore _store = null!;
    private TransactionVerifier _verifier = null!;
    private Mempool _mempool = null!;
    private byte[][] _envelopes = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("p2pe-door-bench-").FullName;
        (_store, var parameters, var keys) = DoorCost.OpenGenesis(_directory, 50);
        _verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        long time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _mempool = new Mempool(_verifier, parameters, _store, () => time);
        _envelopes = NodeUnderLoad.SignContracts(keys, 10 * Batch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public VerifiedTransaction VerifyContract() => _verifier.Verify(_envelopes[_next++ % _envelopes.Length]);

    [Benchmark(OperationsPerInvoke = Batch)]
    public int SubmitContracts()
    {
        int at = _next++ % (_envelopes.Length / Batch) * Batch;
        var verdicts = _mempool.Submit(new ArraySegment<byte[]>(_envelopes, at, Batch));
        _mempool.Remove(verdicts.Select(v => v.TransactionId));
        return verdicts.Count;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(ThroughputColumn.OpsPerSecond);
    }
}
