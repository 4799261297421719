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

namespace P2PEnergy.Benchmarks;

/// <summary>
/// Settling one interval with 100,000 meters (one participant each, all reporting) and 200,000 contracts active in
/// it, as the block executor runs it: an empty block whose time closes the interval's reading window. The issue's
/// target is ≤ 2 s on the 2-core dev box; read the Ratio column against native secp256k1 recover in this run.
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
    private MemoryState _state = null!;
    private BlockExecutor _executor = null!;

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
            // The interval index entry as ContractHandlers writes it at commit.
            Put(StateKeys.ContractByInterval(Start + Interval, 1 + (ulong)c / 5_000, c % 5_000), new ContractDue
            {
                Id = ByteString.CopyFrom(id.Bytes), Seller = terms.Seller, Buyer = terms.Buyer, SellerMeter = terms.SellerMeter, BuyerMeter = terms.BuyerMeter, IntervalStart = Start, IntervalCount = 1,
                WhPerInterval = 500, Payment = 100_000, DmoFeeBuyer = 1_000, DmoFeeSeller = 1_000, GridFee = 5_000,
            });
        }
        _state = new MemoryState();
        _state.Apply(writes);
        _executor = new BlockExecutor(parameters, new TransactionVerifier(parameters.ChainId, Secp256k1.Default), new UnmodelledGrid());
        var check = SettleOneInterval();
        if (check.Changes.Count < Contracts) throw new InvalidOperationException($"settlement wrote only {check.Changes.Count} changes; the setup is wrong");
    }

    private static string Meter(int i) => $"M{i:D6}";

    [Benchmark(Baseline = true)]
    public Address NativeRecover() => Signer.Recover(_digest, _signature, _native);

    /// <summary>The whole block: settlement, its statement lines, the sorted change set and the app hash.</summary>
    [Benchmark]
    public BlockExecution SettleOneInterval()
        => _executor.Execute(_state, Hash32.Zero, 2, (long)(Start + Interval + Window) * 1000, []);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithId("settlement"));
            AddColumn(ThroughputColumn.OpsPerSecond);
        }
    }
}
