using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Node.Storage;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Benchmarks;

/// <summary>
/// Settling one interval with 100,000 meters (one participant each, all reporting) and 200,000 contracts active in
/// it, as the engine runs it: empty blocks, the first at the time that closes the interval's reading window, one a
/// second after it until the interval is settled, each executed against the SQLite store through the committed-state
/// cache and committed to the store before the next — settlement takes at most settlementStepsPerBlock steps a block
/// (docs/settlement.md). The targets: no block's execution above 250 ms, the interval settled well within its length.
/// The benchmark's time is all blocks with their commits; `-- settle-profile` prints each block's execution time, the
/// sum and the worst, against native secp256k1 recover timed in the same process.
/// </summary>
[Config(typeof(Config))]
public class SettlementBenchmarks
{
    private const int Meters = 100_000, Contracts = 200_000;
    private const ulong Interval = 900, Window = 3_600;
    private const ulong Start = 1_795_392_000 + 7_200; // 2026-11-22T02:00Z: no day boundary before it settles

    private readonly Hash32 _digest = Keccak256.Hash("P2PEnergy settlement benchmark"u8);
    private Signature _signature = null!;
    private NativeSecp256k1? _native;
    private BlockExecutor _executor = null!;
    private string _directory = null!, _template = null!;
    private SqliteLedgerStore? _store;
    private CommittedStateCache _state = null!;

    /// <summary>The settlement step budget per block (set before setup; settle-profile's --steps compares budgets).</summary>
    public int StepsPerBlock { get; set; } = ChainParameters.DefaultSettlementStepsPerBlock;

    [GlobalSetup]
    public void Setup()
    {
        _native = Secp256k1.TryNative(out _);
        var key = new PrivateKey(Keccak256.Hash("bench key"u8).Bytes);
        _signature = key.Sign(_digest);
        Address Addr(string role, int i) => Address.FromBytes(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes($"{role}-{i}")).Bytes[12..]);
        var utility = Addr("utility", 0);
        var parameters = new ChainParameters
        {
            ChainId = 7, MarketName = "bench", Currency = "EUR", CurrencyDecimals = 6, IntervalSeconds = Interval, GateClosureSeconds = 300,
            ReadingWindowSeconds = Window, DsoModel = DsoModel.IndependentDmo, UtilityMayTrade = false, Utility = utility,
            MarketOperator = Addr("dmo", 0), Planner = Addr("planner", 0), Regulator = Addr("regulator", 0),
            Validators = [new ValidatorInfo(Addr("validator", 0), 1, "")], MaxIntervalCount = 2976, GenesisTimeMs = (long)(Start - 86_400) * 1000,
            SettlementStepsPerBlock = StepsPerBlock,
        };
        var writes = new List<StateChange>();
        void Put(string k, IMessage v) => writes.Add(new StateChange(k, v.ToByteArray()));
        Put(StateKeys.DmoFees, new FeeHistory { Dmo = { new SetDmoFees { FixedPerContract = 1_000, PerKwh = 2_000, BuyerSharePermille = 500 } } });
        Put(StateKeys.GridFees, new FeeHistory { Grid = { new SetGridFees { AcrossSubstationsPerKwh = 10_000 } } });
        var tariff = new SetPolrTariff();
        tariff.Prices.Add(new PolrPrice { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 100_000 });
        Put(StateKeys.PolrTariff, new FeeHistory { Polr = { tariff } });
        Put(SettlementKeys.Cursor, new SettlementCursor { NextInterval = Start, StandbyDay = Start - 7_200, SubscriptionMonth = 1_793_491_200 });
        Put(StateKeys.Account(utility), new AccountState { Address = ByteString.CopyFrom(utility.Bytes), Role = "Utility", Balance = 1_000_000_000 });
        var owners = new Address[Meters];
        for (int i = 0; i < Meters; i++)
        {
            owners[i] = Addr("participant", i);
            Put(StateKeys.Account(owners[i]), new AccountState { Address = ByteString.CopyFrom(owners[i].Bytes), Role = "Prosumer", Admitted = true, Balance = 5_000_000, Escrow = 2 * 450_000 });
            Put(StateKeys.Meter(Meter(i)), new MeterState { Meter = Meter(i), Owner = ByteString.CopyFrom(owners[i].Bytes), GridNode = "SP" });
            // Every meter reports; a third under-deliver, a third over-deliver, the rest are exact.
            Put(StateKeys.Reading(Start, Meter(i)), new MeterReading { Meter = Meter(i), IntervalStart = Start, ImportWh = (ulong)(i % 3) * 100, ExportWh = 1_000 });
        }
        writes.Add(new StateChange(SettlementKeys.ContractStart(Start), []));
        for (int c = 0; c < Contracts; c++)
        {
            int seller = c % Meters, buyer = (c * 7 + 1) % Meters;
            if (buyer == seller) buyer = (buyer + 1) % Meters;
            var terms = new EnergyContract
            {
                Seller = ByteString.CopyFrom(owners[seller].Bytes), Buyer = ByteString.CopyFrom(owners[buyer].Bytes), SellerMeter = Meter(seller), BuyerMeter = Meter(buyer),
                IntervalStart = Start, IntervalCount = 1, WhPerInterval = 500, PricePerKwh = 200_000, Nonce = (ulong)c,
            };
            var id = Keccak256.Hash(terms.ToByteArray());
            Put(StateKeys.Contract(id), new ContractState { Id = ByteString.CopyFrom(id.Bytes), Terms = terms, Payment = 100_000, DmoFeeBuyer = 1_000, DmoFeeSeller = 1_000, GridFee = 5_000, PathLevel = "AcrossSubstations" });
            // The interval index entry and the contract-start marker, as ContractAdmission writes them at commit.
            Put(StateKeys.ContractByInterval(Start + Interval, 1 + (ulong)c / 5_000, c % 5_000), new ContractDue
            {
                Id = ByteString.CopyFrom(id.Bytes), Seller = terms.Seller, Buyer = terms.Buyer, SellerMeter = terms.SellerMeter, BuyerMeter = terms.BuyerMeter, IntervalStart = Start, IntervalCount = 1,
                WhPerInterval = 500, Payment = 100_000, DmoFeeBuyer = 1_000, DmoFeeSeller = 1_000, GridFee = 5_000,
            });
        }
        _executor = new BlockExecutor(parameters, new TransactionVerifier(parameters.ChainId, Secp256k1.Default), new UnmodelledGrid());
        _directory = Directory.CreateTempSubdirectory("p2pe-settle-").FullName;
        _template = Path.Combine(_directory, "template.db");
        writes.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        using (var template = SqliteLedgerStore.Open(_template)) template.InitializeGenesis(Hash32.Zero, writes, Hash32.Zero);
        ResetState();
        var check = SettleOneInterval();
        if (IntervalSettlement.Parser.ParseFrom(_state.Get(SettlementKeys.Interval(Start))).Contracts != Contracts)
            throw new InvalidOperationException($"settlement took {check.Blocks} blocks and did not settle all {Contracts} contracts; the setup is wrong");
        ResetState();
    }

    /// <summary>Committed state as setup left it (a copy of the template store): before the interval settles.</summary>
    [IterationSetup]
    public void ResetState()
    {
        _store?.Dispose();
        var working = Path.Combine(_directory, "ledger.db");
        foreach (var file in Directory.GetFiles(_directory, "ledger.db*")) File.Delete(file);
        File.Copy(_template, working);
        _store = SqliteLedgerStore.Open(working);
        _state = new CommittedStateCache(_store, capacity: 250_000); // as LedgerApplication reads
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Meter(int i) => $"M{i:D6}";

    [Benchmark(Baseline = true)]
    public Address NativeRecover() => Signer.Recover(_digest, _signature, _native);

    /// <summary>Mean native recover time (µs) over a few thousand calls, for settle-profile's ratios; NaN without the native library.</summary>
    public double NativeRecoverMicroseconds()
    {
        if (_native is null) return double.NaN;
        for (int i = 0; i < 2_000; i++) NativeRecover();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        const int n = 20_000;
        for (int i = 0; i < n; i++) NativeRecover();
        return clock.Elapsed.TotalMicroseconds / n;
    }

    /// <summary>
    /// Every block it takes, each executed (settlement, its statement lines, the sorted change set, the app hash) and
    /// committed to the in-memory state before the next; returns the block count, each block's execution time (commits
    /// excluded) and the worst.
    /// </summary>
    [Benchmark]
    public Settled SettleOneInterval()
    {
        var times = new List<double>();
        var pauses = new List<double>();
        var clock = new System.Diagnostics.Stopwatch();
        double commits = 0;
        while (true)
        {
            ulong height = _store!.Height + 1;
            long timeMs = (long)(Start + Interval + Window + height - 1) * 1000;
            var paused = GC.GetTotalPauseDuration();
            clock.Restart();
            var execution = _executor.Execute(_state, _store.AppHash, height, timeMs, []);
            times.Add(clock.Elapsed.TotalMilliseconds);
            pauses.Add((GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
            clock.Restart();
            var header = new BlockHeader
            {
                ChainId = _executor.Parameters.ChainId, Height = height, TimeMs = timeMs, PreviousHash = ByteString.CopyFrom(_store.LastBlockHash.Bytes),
                TransactionsRoot = ByteString.CopyFrom(MerkleRoot.Empty.Bytes), AppHash = ByteString.CopyFrom(execution.AppHash.Bytes),
                Proposer = ByteString.CopyFrom(new byte[20]), ValidatorSetHash = ByteString.CopyFrom(new byte[32]),
                NextValidatorSetHash = ByteString.CopyFrom(new byte[32]),
            };
            _store.Commit(new Block { Header = header }, BlockHeaderHashing.Hash(header), execution.Results, execution.Changes, execution.AppHash);
            _state.Apply(execution.Changes);
            execution.Publish();
            commits += clock.Elapsed.TotalMilliseconds;
            if (SettlementProgress.NextInterval(_state) > Start) return new Settled(times.Count, times.Sum(), times.Max(), commits, times, pauses);
        }
    }

    /// <summary>
    /// What settling the interval took: blocks, Σ and worst block execution time, Σ store commits (ms), and each block's
    /// execution time with the garbage-collection pauses that fell inside it.
    /// </summary>
    public sealed record Settled(int Blocks, double TotalMs, double WorstMs, double CommitMs, IReadOnlyList<double> BlockMs, IReadOnlyList<double> PauseMs)
    {
        /// <summary>The worst block's execution time less the GC pauses inside it: the work, without the collector.</summary>
        public double WorstWithoutPausesMs => BlockMs.Select((t, i) => t - PauseMs[i]).Max();

        /// <summary>Blocks whose execution took longer than <paramref name="ms"/>.</summary>
        public int Over(double ms) => BlockMs.Count(t => t > ms);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithId("settlement"));
            AddColumn(ThroughputColumn.OpsPerSecond);
        }
    }
}
