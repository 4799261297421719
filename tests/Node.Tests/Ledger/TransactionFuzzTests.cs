using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Execution.Handlers;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Tests.Grid;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// Issue 12 item 3: valid transactions of every kind, mutated — numbers at 0, their maximum and minimum, huge repeated
/// counts, empty and oversized strings and byte fields, role and other names no rule knows, random bytes where
/// addresses and hashes belong, bad signatures, other chains, attachments — then (mostly) signed again by the right
/// keys so they reach the handlers. However hostile, every block executes to results (no exception escapes
/// execution), money is conserved after every block, and a cold replay reproduces every result and app hash. Seeded
/// with a fixed number of blocks; the seed is in every failure message.
/// </summary>
public class TransactionFuzzTests
{
    private const int Seed = 4_242_012, Blocks = 100;

    private static LedgerHarness Chain() => SmallFeeder.Chain(settlementSteps: 40, configure: g =>
    {
        g.Fees.PolrStandbyPerDay = 1_000;
        g.Fees.PolrPrices = [new() { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 100_000 }];
    });

    [Fact]
    public void MutatedTransactions_NeverStopTheChain_ConserveMoney_AndReplayCold()
    {
        var random = new Random(Seed);
        var h = Chain();
        ulong nonce = 1;
        var codes = new Dictionary<string, int>();
        var committed = new HashSet<Transaction.BodyOneofCase>();
        for (int b = 0; b < Blocks; b++)
        {
            var transactions = new List<Transaction>();
            for (int n = random.Next(1, 7); n > 0; n--) transactions.Add(Mutated(random, h, nonce++));
            var results = Commit(h, h.TimeMs + new[] { 1, 60, 900, 4_000, 90_000 }[random.Next(5)] * 1000L, transactions, $"seed {Seed}, block {b}");
            foreach (var (r, tx) in results.Zip(transactions))
            {
                codes[r.Code] = codes.GetValueOrDefault(r.Code) + 1;
                if (r.Code == ReasonCodes.Ok) committed.Add(tx.BodyCase);
            }
        }
        Assert.True(ColdReplay.FirstDifference(h, Chain()) is not { } difference, $"seed {Seed}: {ColdReplay.FirstDifference(h, Chain())}");
        // The mutations reached the handlers: some transactions still committed, many were refused for many reasons.
        Assert.True(codes.GetValueOrDefault(ReasonCodes.Ok) > 20 && codes.Count > 8, $"seed {Seed}: {string.Join(", ", codes.Select(kv => $"{kv.Key}={kv.Value}"))}");
        // Authority kinds got through their handlers too (validator-set changes among them). Contracts, takes and
        // cancellations need not: a mutated reading soon leaves the seller with a saturated POLR debt (IN_DEBT), and
        // takes and cancellations name random offers; the determinism property commits every kind.
        foreach (var kind in new[] { Transaction.BodyOneofCase.SetValidatorSet, Transaction.BodyOneofCase.Admit, Transaction.BodyOneofCase.RegisterMeter, Transaction.BodyOneofCase.SetBaseline, Transaction.BodyOneofCase.Evidence })
            Assert.True(committed.Contains(kind), $"seed {Seed}: no {kind} committed ({string.Join(", ", committed)})");
    }

    /// <summary>
    /// The hostile fuzz above mostly produces refusals: contracts meet a seller in POLR debt, takes and cancellations
    /// name random offers. Here trades stay near valid — in-range random terms, takes and cancellations of offers that
    /// committed, the parties' debts cleared by deposits — and one transaction in three has one field set to a hostile
    /// value. The success paths of contract, offer, take and cancellation are then reached often (each commits in at
    /// least a quarter of its tries), among refusals of every kind, and a cold replay still agrees with every result.
    /// </summary>
    [Fact]
    public void NearValidTrades_ReachTheSuccessPathsOfContractTakeAndCancel_AndReplayCold()
    {
        const int seed = 7_310_412, blocks = 60;
        var random = new Random(seed);
        var h = Chain();
        var offers = new List<ByteString>();
        var tried = new Dictionary<Transaction.BodyOneofCase, int>();
        var committed = new Dictionary<Transaction.BodyOneofCase, int>();
        ulong nonce = 1;
        for (int b = 0; b < blocks; b++)
        {
            var transactions = new List<Transaction>();
            if (b % 8 == 0)
                foreach (var party in new[] { h.Alice, h.Bob })
                    transactions.Add(LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(party.Address.Bytes), Amount = 1_000_000_000, Nonce = nonce++ }, h.Operator));
            for (int n = random.Next(1, 6); n > 0; n--) transactions.Add(Trade(random, h, offers, nonce++));
            var results = Commit(h, h.TimeMs + new[] { 1, 20, 60, 300 }[random.Next(4)] * 1000L, transactions, $"seed {seed}, block {b}");
            foreach (var (r, tx) in results.Zip(transactions))
            {
                tried[tx.BodyCase] = tried.GetValueOrDefault(tx.BodyCase) + 1;
                if (r.Code != ReasonCodes.Ok) continue;
                committed[tx.BodyCase] = committed.GetValueOrDefault(tx.BodyCase) + 1;
                if (tx.BodyCase == Transaction.BodyOneofCase.Offer) offers.Add(ByteString.CopyFrom(LedgerTypedData.Digest(tx.Offer, LedgerHarness.ChainId).Bytes));
                if (tx.BodyCase == Transaction.BodyOneofCase.CancelOffer) offers.Remove(tx.CancelOffer.OfferId);
            }
        }
        Assert.True(ColdReplay.FirstDifference(h, Chain()) is not { } difference, $"seed {seed}: {ColdReplay.FirstDifference(h, Chain())}");
        string Counts() => string.Join(", ", tried.Select(kv => $"{kv.Key} {committed.GetValueOrDefault(kv.Key)}/{kv.Value}"));
        foreach (var kind in new[] { Transaction.BodyOneofCase.EnergyContract, Transaction.BodyOneofCase.Offer, Transaction.BodyOneofCase.Take, Transaction.BodyOneofCase.CancelOffer })
        {
            int ok = committed.GetValueOrDefault(kind), all = tried.GetValueOrDefault(kind);
            Assert.True(ok >= 5 && 4 * ok >= all, $"seed {seed}: {kind} committed {ok} of {all} ({Counts()})");
            Assert.True(ok < all, $"seed {seed}: every {kind} committed, no hostile value reached it ({Counts()})");
        }
    }

    /// <summary>
    /// Executes and adopts the next block; no exception may escape execution, however hostile the block. Money is
    /// conserved to the micro-unit (the harness checks); the settlement invariants' equalities are not asked of values
    /// settlement saturates.
    /// </summary>
    private static IReadOnlyList<TransactionResult> Commit(LedgerHarness h, long time, List<Transaction> transactions, string where)
    {
        var items = transactions.Select(t => (t.ToByteArray(), (VerifiedTransaction?)null)).ToList();
        BlockExecution execution;
        try { execution = h.Executor.Execute(h.State, h.AppHash, h.Height + 1, time, items); }
        catch (Exception e) { throw new Xunit.Sdk.XunitException($"{where}: execution threw {e}"); }
        h.Adopt(h.Height + 1, time, items.Select(i => i.Item1).ToList(), execution, invariants: false);
        return execution.Results;
    }

    /// <summary>A contract, offer, take or cancellation between Alice and Bob with random in-range terms; one in three has a hostile field.</summary>
    private static Transaction Trade(Random random, LedgerHarness h, List<ByteString> offers, ulong nonce)
    {
        ByteString A(PrivateKey k) => ByteString.CopyFrom(k.Address.Bytes);
        ulong start = h.IntervalAhead(2 + random.Next(12));
        ulong wh = (ulong)random.Next(1, 600), price = (ulong)random.Next(1, 400_000);
        uint count = (uint)random.Next(1, 4);
        ByteString Known() => offers.Count > 0 ? offers[random.Next(offers.Count)] : ByteString.CopyFrom(new byte[32]);
        var (body, signers) = random.Next(10) switch
        {
            < 4 => ((IMessage)h.Contract(h.Alice, h.Bob, start: start, wh: wh, price: price, nonce: nonce, count: count), new[] { h.Alice, h.Bob }),
            < 6 => (new Offer { Maker = A(h.Alice), Meter = "MTR-A", Sell = true, IntervalStart = start, IntervalCount = count, WhPerInterval = wh * 4, PricePerKwh = price, Nonce = nonce, ValidUntil = h.NowSeconds + 3_600 }, new[] { h.Alice }),
            < 9 => (new Take { OfferId = Known(), Taker = A(h.Bob), Meter = "MTR-B", WhPerInterval = wh, Nonce = nonce, ValidUntil = h.NowSeconds + 3_600 }, new[] { h.Bob }),
            _ => (new CancelOffer { OfferId = Known(), Maker = A(h.Alice), Nonce = nonce }, new[] { h.Alice }),
        };
        if (random.Next(3) == 0)
        {
            var fields = body.Descriptor.Fields.InFieldNumberOrder();
            Mutate(random, body, fields[random.Next(fields.Count)]);
        }
        return Signed(random, body, signers);
    }

    /// <summary>The body signed by <paramref name="signers"/>, or with a junk signature when the EIP-712 encoder cannot even hash it (an address of the wrong length).</summary>
    private static Transaction Signed(Random random, IMessage body, PrivateKey[] signers)
    {
        try { return LedgerHarness.Envelope(body, signers); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            var tx = new Transaction { ChainId = LedgerHarness.ChainId };
            tx.GetType().GetProperties().Single(p => p.PropertyType == body.GetType()).SetValue(tx, body);
            tx.Signatures.Add(ByteString.CopyFrom(Bytes(random, 65)));
            return tx;
        }
    }

    /// <summary>A valid transaction of a random kind, with some of its fields set to hostile values.</summary>
    private static Transaction Mutated(Random random, LedgerHarness h, ulong nonce)
    {
        var (body, signers) = Valid(random, h, nonce);
        int mutations = random.Next(4);
        var fields = body.Descriptor.Fields.InFieldNumberOrder();
        for (int m = 0; m < mutations; m++) Mutate(random, body, fields[random.Next(fields.Count)]);
        var tx = Signed(random, body, random.Next(10) == 0 ? [h.Stranger] : signers);
        switch (random.Next(12))
        {
            case 0: tx.ChainId = random.Next(2) == 0 ? 0 : ulong.MaxValue; break;
            case 1: tx.Signatures[0] = ByteString.CopyFrom(Bytes(random, random.Next(3) == 0 ? 65 : random.Next(200))); break;
            case 2: tx.Attachment = ByteString.CopyFrom(Bytes(random, random.Next(2) == 0 ? 1 : 20_000)); break;
            case 3: tx.Signatures.Clear(); break;
        }
        return tx;
    }

    private static (IMessage Body, PrivateKey[] Signers) Valid(Random random, LedgerHarness h, ulong nonce)
    {
        ByteString A(PrivateKey k) => ByteString.CopyFrom(k.Address.Bytes);
        ulong ahead = h.IntervalAhead(2 + random.Next(3)), recent = h.IntervalAhead(-1 - random.Next(3));
        switch (random.Next(18))
        {
            case 0: return (h.Contract(h.Alice, h.Bob, start: ahead, wh: (ulong)random.Next(1, 2_000), nonce: nonce), [h.Alice, h.Bob]);
            case 1: return (new Offer { Maker = A(h.Alice), Meter = "MTR-A", Sell = true, IntervalStart = ahead, IntervalCount = 1, WhPerInterval = 1_000, PricePerKwh = 90_000, Nonce = nonce, ValidUntil = h.NowSeconds + 3_600 }, [h.Alice]);
            case 2: return (new Take { OfferId = ByteString.CopyFrom(Bytes(random, 32)), Taker = A(h.Bob), Meter = "MTR-B", WhPerInterval = 500, Nonce = nonce, ValidUntil = h.NowSeconds + 3_600 }, [h.Bob]);
            case 3: return (new CancelOffer { OfferId = ByteString.CopyFrom(Bytes(random, 32)), Maker = A(h.Alice), Nonce = nonce }, [h.Alice]);
            case 4: return (new MeterReading { Meter = "MTR-A", IntervalStart = recent, ImportWh = 100, ExportWh = 2_000 }, [h.AliceDevice]);
            case 5: return (new Admit { Account = ByteString.CopyFrom(Bytes(random, 20)), Role = "Consumer", Name = "new", Nonce = nonce }, [h.Operator]);
            case 6: return (new Suspend { Account = A(h.Bob), Suspended = false, Reason = "fuzz", Nonce = nonce }, [h.Operator]);
            case 7: return (new RegisterMeter { Meter = $"MTR-F{nonce}", Owner = A(h.Alice), GridNode = "SP3", Device = A(h.AliceDevice), ImportLimitW = 5_000, ExportLimitW = 5_000, PowerFactorMilli = 950, Nonce = nonce }, [h.Utility]);
            case 8: return (new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = true, Nonce = nonce }, [h.Bob]);
            case 9: return (new Deposit { Account = A(h.Alice), Amount = 1_000, Reference = "fuzz", Nonce = nonce }, [h.Operator]);
            case 10: return (new Withdraw { Account = A(h.Bob), Amount = 1_000, Reference = "fuzz", Nonce = nonce }, [h.Operator]);
            case 11: return (new SetDmoFees { EffectiveFrom = ahead, FixedPerContract = 1_000, PerKwh = 2_000, BuyerSharePermille = 500, Nonce = nonce }, [h.Operator]);
            case 12: return (new SetGridFees { EffectiveFrom = ahead, AcrossSubstationsPerKwh = 10_000, Nonce = nonce }, [h.Utility]);
            case 13:
            {
                var tariff = new SetPolrTariff { EffectiveFrom = ahead, StandbyPerDay = 1_000, Nonce = nonce };
                tariff.Prices.Add(new PolrPrice { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 100_000 });
                return (tariff, [h.Utility]);
            }
            case 14:
            {
                var baseline = new SetBaseline { IntervalStart = ahead, IntervalCount = 2, Nonce = nonce };
                baseline.Entries.Add(new BaselineEntry { Element = "SP1", ActiveW = 2_000, ReactiveVar = 100 });
                return (baseline, [h.Planner]);
            }
            case 15:
            {
                var set = new SetValidatorSet { Nonce = nonce };
                set.Validators.Add(new ValidatorEntry { Validator = A(h.Validator), Power = 1, Operator = "Utility", Role = "Utility" });
                set.Validators.Add(new ValidatorEntry { Validator = A(LedgerHarness.Key(60)), Power = 2, Operator = "DMO", Role = "MarketOperator" });
                return (set, [h.Utility]);
            }
            case 16: // the validator's equivocation at a committed height, reported by itself (any validator may report)
            {
                var hashes = new[] { Hash32.Zero, Equivocations.Block("a"), Equivocations.Block("b") };
                return (Equivocations.Of(h.Validator, Math.Max(1, h.Height - (ulong)random.Next(3)), (uint)random.Next(3),
                    random.Next(2) == 0 ? VoteType.Prevote : VoteType.Precommit, hashes[random.Next(3)], hashes[random.Next(3)]), [h.Validator]);
            }
            default:
                return (new UpdateGridModel { ModelHash = ByteString.CopyFrom(Keccak256.Hash(SmallFeeder.File().ToJsonBytes()).Bytes), EffectiveFrom = ahead, Nonce = nonce }, [h.Utility]);
        }
    }

    private static void Mutate(Random random, IMessage body, FieldDescriptor field)
    {
        var accessor = field.Accessor;
        if (field.IsRepeated)
        {
            var list = (IList)accessor.GetValue(body);
            if (field.FieldType != FieldType.Message) return;
            // A huge count of copies (or of empty entries), or none at all.
            var template = list.Count > 0 ? (IMessage)list[0]! : (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
            if (random.Next(3) == 0) { list.Clear(); return; }
            int copies = random.Next(2) == 0 ? FeeAndGridGovernance.MaxBaselineEntries + 1 : random.Next(1, 50);
            for (int i = 0; i < copies; i++)
            {
                var copy = template.Descriptor.Parser.ParseFrom(template.ToByteArray());
                foreach (var inner in copy.Descriptor.Fields.InFieldNumberOrder()) if (random.Next(3) == 0 && !inner.IsRepeated) Mutate(random, copy, inner);
                list.Add(copy);
            }
            return;
        }
        // A nested struct (an Evidence's votes): one of its own fields gets the hostile value.
        if (field.FieldType == FieldType.Message)
        {
            if (accessor.GetValue(body) is IMessage inner) Mutate(random, inner, inner.Descriptor.Fields.InFieldNumberOrder()[random.Next(inner.Descriptor.Fields.InFieldNumberOrder().Count)]);
            return;
        }
        object value = field.FieldType switch
        {
            FieldType.UInt64 or FieldType.Fixed64 => new[] { 0UL, 1UL, ulong.MaxValue, ulong.MaxValue - 1, (ulong)long.MaxValue + 1, (ulong)random.NextInt64() }[random.Next(6)],
            FieldType.UInt32 or FieldType.Fixed32 => new[] { 0u, 1u, uint.MaxValue, 1_000u, 1_001u, (uint)random.Next() }[random.Next(6)],
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => new[] { 0L, long.MinValue, long.MaxValue, -1L, random.NextInt64(long.MinValue, long.MaxValue) }[random.Next(5)],
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => new[] { 0, int.MinValue, int.MaxValue, -1 }[random.Next(4)],
            FieldType.Bool => !(bool)accessor.GetValue(body),
            FieldType.String => new[] { "", new string('x', 10_000), "Wizard", "MTR-A", "SP1", "ü∂\u0000\uffff", " ", "../../etc", new string('é', 65) }[random.Next(9)],
            FieldType.Bytes => ByteString.CopyFrom(Bytes(random, new[] { 0, 1, 19, 20, 21, 32, 33, 65, 10_000 }[random.Next(9)])),
            _ => accessor.GetValue(body),
        };
        accessor.SetValue(body, value);
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
