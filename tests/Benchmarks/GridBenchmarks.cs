using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Benchmarks.Grid;

namespace P2PEnergy.Benchmarks;

/// <summary>
/// One contract check (meter limits + thermal on the path + LinDistFlow voltage of every node) on a 10,000-node
/// model with 100,000 meters holding contracts (<see cref="SyntheticFeeder"/>); the target is ≤ 10 µs. Native
/// recover runs in the same class as the baseline, so the Ratio column reads against it in every run.
/// </summary>
[Config(typeof(Config))]
public class GridBenchmarks
{
    private static readonly NativeSecp256k1? Native = Secp256k1.TryNative(out _);
    private readonly Hash32 _digest = Keccak256.Hash("P2PEnergy benchmark digest"u8);
    private Signature _signature = null!;
    private FlowBook _book = null!;
    private MeterPoint[] _meters = [];
    private (int Seller, int Buyer)[] _sameTransformer = [], _acrossFeeders = [];
    private int _next;
    // The whole grid stage through ledger state: the same network and positions as MemoryState records.
    private MemoryState _state = null!;
    private ChainParameters _parameters = null!;
    private GridAdmission _admission = null!;
    private MeterState[] _meterStates = [];
    private const ulong Interval = 1_795_366_800;

    [GlobalSetup]
    public void Setup()
    {
        var key = Hex.Decode("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032", 32);
        _signature = new ManagedSecp256k1().Sign(_digest.Bytes, key);
        var model = GridModel.Load(SyntheticFeeder.File().ToJsonBytes());
        if (model.Count != SyntheticFeeder.Nodes) throw new InvalidOperationException($"model has {model.Count} nodes");
        var random = new Random(42);
        _meters = Enumerable.Range(0, SyntheticFeeder.Meters)
            .Select(i => new MeterPoint($"M{i}", model.IndexOf(SyntheticFeeder.ServicePointOf(model, i)), LinDistFlow.TanMicro(random.Next(2) == 0 ? 0u : 950u), 20_000, 20_000))
            .ToArray();
        // Every meter already holds a contracted position (±2 kW), and the planner's baseline loads every feeder.
        var injections = _meters.Select(m => (m, (long)random.Next(-2_000, 2_001)));
        var baseline = Enumerable.Range(0, model.Count).Where(i => model.Kinds[i] == NodeKind.Feeder).Select(i => (i, 3_000_000L, 1_000_000L));
        _book = new FlowBook(model, 0, baseline, injections);
        _sameTransformer = Pairs(random, 1024, (a, b) => model.Transformer[_meters[a].Node] == model.Transformer[_meters[b].Node]);
        _acrossFeeders = Pairs(random, 1024, (a, b) => model.Feeder[_meters[a].Node] != model.Feeder[_meters[b].Node]);
        SetupLedgerState(model, injections.ToList(), baseline.ToList());
        // A refused check stops early and would flatter the numbers: every measured check must go all the way.
        foreach (var (s, b) in _sameTransformer.Concat(_acrossFeeders))
            if (_book.Check(_meters[s], _meters[b], 3_000) is { } refused) throw new InvalidOperationException(refused.Message);
    }

    private void SetupLedgerState(GridModel model, List<(MeterPoint Meter, long Net)> injections, List<(int Node, long P, long Q)> baseline)
    {
        var key = new PrivateKey(Keccak256.Hash("grid-benchmark"u8).Bytes);
        _parameters = new ChainParameters
        {
            ChainId = 1, MarketName = "bench", Currency = "EUR", CurrencyDecimals = 6, IntervalSeconds = 900, GateClosureSeconds = 300,
            ReadingWindowSeconds = 3600, DsoModel = DsoModel.IndependentDmo, UtilityMayTrade = false, Utility = key.Address,
            MarketOperator = key.Address, Planner = key.Address, Regulator = key.Address, Validators = [], MaxIntervalCount = 96, GenesisTimeMs = 0,
        };
        var overlay = new StateOverlay(new MemoryState());
        var file = SyntheticFeeder.File().ToJsonBytes();
        GridState.InstallModel(overlay, 0, file, Keccak256.Hash(file));
        _meterStates = new MeterState[_meters.Length];
        for (int i = 0; i < _meters.Length; i++)
        {
            var m = _meters[i];
            _meterStates[i] = new MeterState
            {
                Meter = m.Id, Owner = ByteString.CopyFrom(key.Address.Bytes), GridNode = model.Ids[m.Node], Device = ByteString.CopyFrom(key.Address.Bytes),
                ImportLimitW = m.ImportLimitW, ExportLimitW = m.ExportLimitW, PowerFactorMilli = m.TanMicro == 0 ? 0u : 950u,
            };
            overlay.Set(StateKeys.Meter(m.Id), _meterStates[i].ToByteArray());
        }
        foreach (var (meter, net) in injections) GridState.SetInjection(overlay, Interval, meter.Id, net);
        foreach (var (node, p, q) in baseline)
            overlay.Set(StateKeys.Baseline(Interval, model.Ids[node]), new BaselineEntry { Element = model.Ids[node], ActiveW = p, ReactiveVar = q }.ToByteArray());
        _state = new MemoryState();
        _state.Apply(overlay.Changes());
        _admission = new GridAdmission(new FlowBookCache());
    }

    private (int, int)[] Pairs(Random random, int count, Func<int, int, bool> accept)
    {
        var pairs = new List<(int, int)>();
        while (pairs.Count < count)
        {
            int a = random.Next(_meters.Length), b = random.Next(_meters.Length);
            if (a != b && accept(a, b)) pairs.Add((a, b));
        }
        return pairs.ToArray();
    }

    [Benchmark(Baseline = true)]
    public Address NativeRecover() => Signer.Recover(_digest, _signature, Native);

    [Benchmark]
    public GridViolation? ContractCheck_SameTransformer()
    {
        var (s, b) = _sameTransformer[_next++ & 1023];
        return _book.Check(_meters[s], _meters[b], 3_000);
    }

    [Benchmark]
    public GridViolation? ContractCheck_AcrossFeeders()
    {
        var (s, b) = _acrossFeeders[_next++ & 1023];
        return _book.Check(_meters[s], _meters[b], 3_000);
    }

    /// <summary>
    /// The grid stage of a one-interval contract as the block executor runs it, one contract per block: model lookup,
    /// cache revision check, meter + thermal + voltage check, then the record step (the in-place book update, the
    /// state writes, the revision link), the commit of the writes and the publication of the block's book. Contracts
    /// alternate direction so the book stays put, and each one's writes are committed before the next, as in a chain.
    /// </summary>
    [Benchmark]
    public PathLevel Admit_AcrossFeeders_ThroughLedgerState()
    {
        var (s, b) = _acrossFeeders[(_next >> 1) & 1023];
        if ((_next++ & 1) == 1) (s, b) = (b, s);
        var overlay = new StateOverlay(_state, DecodedStateCache.Process); // the parsed-model memo the node reads through its CommittedStateCache
        var terms = new EnergyContract { IntervalStart = Interval, IntervalCount = 1, WhPerInterval = 750, SellerMeter = _meterStates[s].Meter, BuyerMeter = _meterStates[b].Meter };
        var context = new LedgerContext(_parameters, overlay, 1, 0);
        var block = _admission.BeginBlock();
        var plan = block.Check(context, terms, _meterStates[s], _meterStates[b]);
        block.Record(context, _digest, plan);
        _state.Apply(overlay.Changes());
        block.Publish();
        return plan.Level;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(ThroughputColumn.OpsPerSecond);
    }
}
