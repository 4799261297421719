using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Tests.Grid;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// Issue 12 item 1 as a property: result codes, messages and app hashes are a function of committed state and the block
/// alone. Random blocks of every transaction kind — contracts (some refused late for funds, some over grid limits),
/// refusals, baselines, grid model updates, fees and tariffs, admissions, suspensions, meter registrations, offers,
/// takes, cancellations, readings, deposits, withdrawals, delegations and contracts the aggregator signs, validator-set
/// changes, nonces reused under new terms (the nonce index and its expiry sweep run in every block) — at block times
/// that make settlement run (split over blocks by a small step budget on some chains), executed on a warm node
/// whose flow-book cache has a random budget and suffers evictions, restarts (a new executor and cache) and blocks it
/// executes but never commits; a cold replay (a fresh executor for every block, nothing published) must agree on
/// every result and every app hash. Seeded; the seed of a failing chain is in the message.
/// </summary>
public class ExecutionDeterminismPropertyTests
{
    private const int Seed = 20_261_212, Chains = 16, BlocksPerChain = 32;
    private static readonly long[] Budgets = [1, 4_096, 1 << 20, 256L << 20];
    private static readonly int[] SettlementSteps = [1, 3, 25, ChainParameters.DefaultSettlementStepsPerBlock];
    // Mostly short steps, so consecutive blocks work on the same few intervals (where a stale book would show).
    private static readonly int[] Advances = [1, 1, 1, 1, 7, 7, 60, 301, 900, 3_700, 20_000];

    private static LedgerHarness Chain(int settlementSteps) => SmallFeeder.Chain(sp1Rating: 10_000, settlementSteps: settlementSteps, configure: g =>
    {
        g.Fees.PolrStandbyPerDay = 3_000;
        g.Fees.PolrPrices = [new() { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 100_000 }];
        g.SnapshotIntervalBlocks = GenesisDocument.MinSnapshotIntervalBlocks; // snapshot heights 10, 20, 30 within a chain's 32 blocks
    });

    [Fact]
    public void RandomBlocks_OnAWarmNode_WithCacheBudgetsEvictionsRestartsAndAbandonedBlocks_MatchAColdReplay()
    {
        var codes = new List<string>();
        var committedKinds = new HashSet<Transaction.BodyOneofCase>();
        int aggregatorContracts = 0;
        for (int chain = 0; chain < Chains; chain++)
        {
            int seed = Seed + chain;
            var random = new Random(seed);
            int steps = SettlementSteps[random.Next(SettlementSteps.Length)];
            var node = new WarmNode(Chain(steps), random);
            for (int b = 0; b < BlocksPerChain; b++) node.Step();
            var difference = ColdReplay.FirstDifference(node.Chain, Chain(steps));
            Assert.True(difference is null, $"seed {seed} (settlement steps {steps}, events: {string.Join(", ", node.Events)}): {difference}");
            codes.AddRange(node.Chain.BlockResults.SelectMany(r => r).Select(r => r.Code));
            foreach (var (block, results) in node.Chain.Blocks.Zip(node.Chain.BlockResults))
                foreach (var (bytes, result) in block.Transactions.Zip(results))
                    if (result.Code == ReasonCodes.Ok)
                    {
                        committedKinds.Add(Transaction.Parser.ParseFrom(bytes).BodyCase);
                        if (node.AggregatorSigned.Contains(Hash32.FromBytes(result.TransactionId.Span))) aggregatorContracts++;
                    }
        }
        // The draws reached what the property is about: contracts refused after the grid check, grid verdicts, nonces
        // reused under new terms, signers who may not sign (issue 12's door rules, run again at execution).
        foreach (var code in new[] { ReasonCodes.Ok, ReasonCodes.InsufficientFunds, ReasonCodes.MeterLimit, ReasonCodes.ThermalLimit, ReasonCodes.NonceReused, ReasonCodes.BadSignature, ReasonCodes.Unauthorized })
            Assert.True(codes.Count(c => c == code) >= 3, $"seed {Seed}: only {codes.Count(c => c == code)} results {code} in {codes.Count} ({string.Join(", ", codes.CountBy(c => c).Select(kv => $"{kv.Key}={kv.Value}"))})");
        // Every transaction kind committed at least once.
        foreach (var kind in Enum.GetValues<Transaction.BodyOneofCase>().Where(k => k != Transaction.BodyOneofCase.None))
            Assert.True(committedKinds.Contains(kind), $"seed {Seed}: no {kind} committed");
        Assert.True(aggregatorContracts >= 3, $"seed {Seed}: {aggregatorContracts} contracts signed by the delegated aggregator committed");
    }

    /// <summary>A node that commits the harness chain's blocks with its own executor and cache, and misbehaves as real ones do.</summary>
    private sealed class WarmNode(LedgerHarness chain, Random random)
    {
        private FlowBookCache _cache = new(Budgets[random.Next(Budgets.Length)]);
        private BlockExecutor _executor = null!;
        private readonly List<Hash32> _offers = [];
        private readonly List<byte[]> _sent = [];
        private readonly List<ulong> _contractNonces = [];
        private bool _byAggregator; // the last draw is a contract the aggregator signed for Bob
        private ulong _nonce = 1_000;

        public LedgerHarness Chain { get; } = chain;
        public List<string> Events { get; } = [];
        /// <summary>Contracts the aggregator signed for Bob.</summary>
        public HashSet<Hash32> AggregatorSigned { get; } = [];

        public void Step()
        {
            _executor ??= Executor();
            switch (random.Next(12))
            {
                case 0:
                    _cache = new FlowBookCache(Budgets[random.Next(Budgets.Length)]);
                    _executor = Executor();
                    Events.Add($"restart@{Chain.Height}");
                    break;
                case 1:
                    _cache.Forget(Chain.IntervalAhead(1 + random.Next(4)));
                    Events.Add($"evict@{Chain.Height}");
                    break;
                case 2 or 3:
                    // A proposal executed, then abandoned: nothing committed, nothing published.
                    _executor.Execute(Chain.State, Chain.AppHash, Chain.Height + 1, Chain.TimeMs + 1_000, Block(Chain.TimeMs + 1_000));
                    Events.Add($"abandoned@{Chain.Height}");
                    break;
            }
            Commit();
        }

        private BlockExecutor Executor() => new(Chain.Parameters, new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default), new GridAdmission(_cache));

        private void Commit()
        {
            int advance = Advances[random.Next(Advances.Length)];
            long time = Chain.TimeMs + advance * 1000L;
            var transactions = Block(time);
            var height = Chain.Height + 1;
            var execution = _executor.Execute(Chain.State, Chain.AppHash, height, time, transactions);
            Chain.Adopt(height, time, transactions.Select(t => t.Bytes).ToList(), execution);
            foreach (var (result, (bytes, _)) in execution.Results.Zip(transactions))
                if (result.Code == ReasonCodes.Ok && Transaction.Parser.ParseFrom(bytes).BodyCase == Transaction.BodyOneofCase.Offer)
                    _offers.Add(Hash32.FromBytes(result.PayloadId.Span));
        }

        private List<(byte[] Bytes, VerifiedTransaction? Verified)> Block(long timeMs)
        {
            var list = new List<(byte[], VerifiedTransaction?)>();
            for (int n = random.Next(7); n > 0; n--)
            {
                var tx = Draw(timeMs);
                var bytes = tx.ToByteArray();
                _sent.Add(bytes);
                if (_byAggregator) AggregatorSigned.Add(Contracts.Ledger.TransactionId.Of(bytes));
                list.Add((bytes, null));
            }
            return list;
        }

        private Transaction Draw(long timeMs)
        {
            var h = Chain;
            ulong now = (ulong)(timeMs / 1000), nonce = _nonce++;
            ulong Ahead(int k) => (now / LedgerHarness.Interval + (ulong)k) * LedgerHarness.Interval;
            EnergyContract Contract(PrivateKey seller, PrivateKey buyer, ulong wh, ulong price) => new()
            {
                Seller = ByteString.CopyFrom(seller.Address.Bytes), Buyer = ByteString.CopyFrom(buyer.Address.Bytes),
                SellerMeter = seller == h.Alice ? "MTR-A" : "MTR-B", BuyerMeter = buyer == h.Alice ? "MTR-A" : "MTR-B",
                IntervalStart = Ahead(1 + random.Next(3)), IntervalCount = (uint)(1 + random.Next(2)), WhPerInterval = wh, PricePerKwh = price,
                Nonce = nonce, ValidUntil = now + 3_600,
            };
            var (a, b) = random.Next(2) == 0 ? (h.Alice, h.Bob) : (h.Bob, h.Alice);
            _byAggregator = false;
            switch (random.Next(27))
            {
                case 0: case 1: case 2: case 14:
                    _contractNonces.Add(nonce);
                    return LedgerHarness.Envelope(Contract(a, b, (ulong)(1 + random.Next(2_600)), (ulong)(10_000 + random.Next(300_000))), a, b);
                case 3: case 15: // passes the grid check, refused for funds after it
                    return LedgerHarness.Envelope(Contract(a, b, (ulong)(1 + random.Next(2_600)), 100_000_000_000), a, b);
                case 4: case 16:
                {
                    var baseline = new SetBaseline { IntervalStart = Ahead(1 + random.Next(3)), IntervalCount = (uint)(1 + random.Next(2)), Nonce = nonce };
                    baseline.Entries.Add(new BaselineEntry { Element = new[] { "SP1", "SP2", "T1", "F1" }[random.Next(4)], ActiveW = random.Next(-6_000, 9_000) });
                    return LedgerHarness.Envelope(baseline, h.Planner);
                }
                case 5:
                {
                    var model = SmallFeeder.File(sp1Rating: 6_000 + random.Next(15_000)).ToJsonBytes();
                    var tx = LedgerHarness.Envelope(new UpdateGridModel { ModelHash = ByteString.CopyFrom(Keccak256.Hash(model).Bytes), EffectiveFrom = Ahead(1 + random.Next(3)), Nonce = nonce }, h.Utility);
                    tx.Attachment = ByteString.CopyFrom(model);
                    return tx;
                }
                case 6:
                    return LedgerHarness.Envelope(new Offer
                    {
                        Maker = ByteString.CopyFrom(h.Alice.Address.Bytes), Meter = "MTR-A", Sell = true, IntervalStart = Ahead(2 + random.Next(3)),
                        IntervalCount = (uint)(1 + random.Next(2)), WhPerInterval = (ulong)(1 + random.Next(2_500)), PricePerKwh = 90_000, Nonce = nonce, ValidUntil = now + 2_000,
                    }, h.Alice);
                case 7:
                    return LedgerHarness.Envelope(new Take
                    {
                        OfferId = ByteString.CopyFrom((_offers.Count > 0 && random.Next(4) > 0 ? _offers[random.Next(_offers.Count)] : Keccak256.Hash(BitConverter.GetBytes(nonce))).Bytes),
                        Taker = ByteString.CopyFrom(h.Bob.Address.Bytes), Meter = "MTR-B", WhPerInterval = (ulong)(1 + random.Next(1_500)), Nonce = nonce, ValidUntil = now + 600,
                    }, h.Bob);
                case 8:
                    return LedgerHarness.Envelope(new CancelOffer
                    {
                        OfferId = ByteString.CopyFrom((_offers.Count > 0 ? _offers[random.Next(_offers.Count)] : Hash32.Zero).Bytes), Maker = ByteString.CopyFrom(h.Alice.Address.Bytes), Nonce = nonce,
                    }, h.Alice);
                case 9:
                {
                    ulong recent = (now / LedgerHarness.Interval - 1 - (ulong)random.Next(4)) * LedgerHarness.Interval;
                    bool alice = random.Next(2) == 0;
                    return LedgerHarness.Envelope(new MeterReading { Meter = alice ? "MTR-A" : "MTR-B", IntervalStart = recent, ImportWh = (ulong)random.Next(2_500), ExportWh = (ulong)random.Next(2_500) },
                        alice ? h.AliceDevice : h.BobDevice);
                }
                case 10:
                    return random.Next(2) == 0
                        ? LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom((random.Next(3) == 0 ? h.Utility : a).Address.Bytes), Amount = (ulong)random.Next(1, 3_000_000), Nonce = nonce }, h.Operator)
                        : LedgerHarness.Envelope(new Withdraw { Account = ByteString.CopyFrom(a.Address.Bytes), Amount = (ulong)random.Next(1, 8_000_000), Nonce = nonce }, h.Operator);
                case 11: // signed by someone without the authority
                    return LedgerHarness.Envelope(Contract(a, b, 100, 100_000), a, h.Stranger);
                case 12 when _sent.Count > 0: // a replay of something sent before
                    return Transaction.Parser.ParseFrom(_sent[random.Next(_sent.Count)]);
                case 17 when _contractNonces.Count > 0: // new terms under a nonce both parties used before: NONCE_REUSED until it expires
                {
                    var reused = Contract(a, b, (ulong)(1 + random.Next(2_600)), (ulong)(10_000 + random.Next(300_000)));
                    reused.Nonce = _contractNonces[random.Next(_contractNonces.Count)];
                    return LedgerHarness.Envelope(reused, a, b);
                }
                case 18: // Bob lets the aggregator sign for him, or stops it
                    return LedgerHarness.Envelope(new Contracts.Protos.Delegate
                    {
                        Member = ByteString.CopyFrom(h.Bob.Address.Bytes), Aggregator = ByteString.CopyFrom(h.Aggregator.Address.Bytes), Active = random.Next(3) > 0, Nonce = nonce,
                    }, h.Bob);
                case 19: // the aggregator signs for Bob: valid only while his delegation is active
                {
                    var terms = Contract(h.Alice, h.Bob, (ulong)(1 + random.Next(2_600)), (ulong)(10_000 + random.Next(300_000)));
                    _contractNonces.Add(nonce);
                    _byAggregator = true;
                    return LedgerHarness.Envelope(terms, h.Alice, h.Aggregator);
                }
                case 20: // the validator authority (the utility by default) replaces the set, in force two heights on
                    return LedgerHarness.Envelope(new SetValidatorSet
                    {
                        Validators =
                        {
                            new ValidatorEntry { Validator = ByteString.CopyFrom(h.Validator.Address.Bytes), Power = (ulong)random.Next(1, 10) },
                            new ValidatorEntry { Validator = ByteString.CopyFrom(LedgerHarness.Key(60 + random.Next(3)).Address.Bytes), Power = (ulong)random.Next(0, 3) },
                        },
                        Nonce = nonce,
                    }, random.Next(4) == 0 ? h.Operator : h.Utility);
                case 21: // fees from a coming interval: later contracts price with them
                    return random.Next(2) == 0
                        ? LedgerHarness.Envelope(new SetDmoFees { EffectiveFrom = Ahead(1 + random.Next(3)), FixedPerContract = (ulong)random.Next(5_000), PerKwh = (ulong)random.Next(5_000), BuyerSharePermille = (uint)random.Next(1_001), Nonce = nonce }, h.Operator)
                        : LedgerHarness.Envelope(new SetGridFees { EffectiveFrom = Ahead(1 + random.Next(3)), AcrossSubstationsPerKwh = (ulong)random.Next(20_000), Nonce = nonce }, h.Utility);
                case 22:
                {
                    var tariff = new SetPolrTariff { EffectiveFrom = Ahead(1 + random.Next(3)), StandbyPerDay = (ulong)random.Next(5_000), Nonce = nonce };
                    tariff.Prices.Add(new PolrPrice { FromMinute = 0, SellPerKwh = (ulong)(200_000 + random.Next(200_000)), BuyPerKwh = (ulong)random.Next(150_000) });
                    return LedgerHarness.Envelope(tariff, h.Utility);
                }
                case 23: // Alice's second meter, on a node of her own feeder or the other one
                    return LedgerHarness.Envelope(new RegisterMeter
                    {
                        Meter = $"MTR-A{random.Next(3)}", Owner = ByteString.CopyFrom(h.Alice.Address.Bytes), GridNode = random.Next(2) == 0 ? "SP1" : "SP2",
                        Device = ByteString.CopyFrom(h.AliceDevice.Address.Bytes), ImportLimitW = 5_000, ExportLimitW = 5_000, Nonce = nonce,
                    }, h.Utility);
                case 24:
                    return LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(LedgerHarness.Key(70 + random.Next(3)).Address.Bytes), Role = "Consumer", Name = "drawn", Nonce = nonce }, h.Operator);
                case 25: // a validator attests a snapshot height's state root (any root: the ledger tallies, it does not recompute)
                {
                    ulong every = GenesisDocument.MinSnapshotIntervalBlocks, height = Math.Max(1, h.Height / every) * every;
                    var root = new byte[32];
                    random.NextBytes(root.AsSpan(0, 1));
                    return LedgerHarness.Envelope(new AttestStateRoot { Height = height, StateRoot = ByteString.CopyFrom(root), AppHash = ByteString.CopyFrom(root) },
                        random.Next(5) == 0 ? h.Stranger : h.Validator);
                }
                case 26: // equivocation evidence: the validator's or a stranger's votes, reported by the validator or a stranger
                {
                    var hashes = new[] { Hash32.Zero, Equivocations.Block("a"), Equivocations.Block("b") };
                    var evidence = Equivocations.Of(random.Next(5) == 0 ? LedgerHarness.Key(60 + random.Next(3)) : h.Validator, Math.Max(1, h.Height - (ulong)random.Next(4)),
                        (uint)random.Next(3), random.Next(2) == 0 ? VoteType.Prevote : VoteType.Precommit, hashes[random.Next(3)], hashes[random.Next(3)]);
                    return LedgerHarness.Envelope(evidence, random.Next(6) == 0 ? h.Stranger : h.Validator);
                }
                default:
                    return LedgerHarness.Envelope(new Suspend { Account = ByteString.CopyFrom(a.Address.Bytes), Suspended = random.Next(6) == 0, Reason = "draw", Nonce = nonce }, h.Operator);
            }
        }
    }
}
