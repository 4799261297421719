using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>
/// Issue 12 item 2: settlement does a bounded number of steps per block. An interval (or a day's standby fees) split
/// over many blocks settles to exactly the statements, records and balances one big block gives — every contract paid
/// once, every imbalance settled once, money conserved after every block (the harness checks, mid-interval too) — and
/// a chain whose genesis lies eleven months back commits its first block with bounded work.
/// </summary>
public class ChunkedSettlementTests
{
    private const int Participants = 8;

    private static PrivateKey Party(int i) => LedgerHarness.Key(100 + i);
    private static PrivateKey Device(int i) => LedgerHarness.Key(200 + i);
    private static string Meter(int i) => $"M{i}";

    /// <summary>
    /// A market of eight prosumers (one meter each), standby and subscription fees, and a utility that starts with
    /// nothing, so surpluses leave receivables that later shortfalls pay.
    /// </summary>
    private static SettlementScenario Market(int? steps) => new(settlementSteps: steps, configure: g =>
    {
        g.Fees.PolrStandbyPerDay = 25_000;
        g.Fees.DmoSubscriptionPerMonth = 4_000;
        for (int i = 0; i < Participants; i++)
        {
            g.Participants.Add(new() { Address = Party(i).Address.ToString(), Role = "Prosumer", Name = $"P{i}", Deposit = (ulong)(i == 3 ? 1_000 : 5_000_000) });
            g.Meters.Add(new() { Meter = Meter(i), Owner = Party(i).Address.ToString(), GridNode = $"SP{i}", Device = Device(i).Address.ToString(), ImportLimitW = 1_000_000, ExportLimitW = 1_000_000 });
        }
    });

    /// <summary>
    /// The same blocks on a chain: contracts across two intervals, readings off in both directions, then time for them
    /// to settle and a day boundary. Returns every result and how many blocks ended with an event in progress.
    /// </summary>
    private static (List<IReadOnlyList<TransactionResult>> Results, int Unfinished) Run(SettlementScenario s, int seed)
    {
        var h = s.H;
        var random = new Random(seed);
        ulong first = h.IntervalAhead(2), nonce = 1;
        var contracts = new List<Transaction>();
        for (int c = 0; c < 14; c++)
        {
            int seller = random.Next(Participants), buyer = (seller + 1 + random.Next(Participants - 1)) % Participants;
            var terms = new EnergyContract
            {
                Seller = ByteString.CopyFrom(Party(seller).Address.Bytes), Buyer = ByteString.CopyFrom(Party(buyer).Address.Bytes),
                SellerMeter = Meter(seller), BuyerMeter = Meter(buyer), IntervalStart = first + (ulong)random.Next(2) * LedgerHarness.Interval,
                IntervalCount = (uint)(1 + random.Next(2)), WhPerInterval = (ulong)(100 + random.Next(3_000)), PricePerKwh = (ulong)(50_000 + random.Next(200_000)),
                Nonce = nonce++, ValidUntil = h.NowSeconds + 3_600,
            };
            contracts.Add(LedgerHarness.Envelope(terms, Party(seller), Party(buyer)));
        }
        var results = new List<IReadOnlyList<TransactionResult>> { h.Block(1, [.. contracts]) };
        var readings = new List<Transaction>();
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < Participants; i++)
                if (random.Next(5) > 0) // some meters never report
                    readings.Add(s.Reading(Device(i), Meter(i), first + (ulong)k * LedgerHarness.Interval, (ulong)random.Next(3_000), (ulong)random.Next(200_000)));
        results.Add(h.Block((int)(first + 3 * LedgerHarness.Interval - h.NowSeconds), [.. readings]));
        // Everything is due now, and the day boundary after it: the budget decides how many blocks it takes.
        ulong day = ((ulong)LedgerHarness.Genesis.ToUnixTimeSeconds() / 86_400 + 1) * 86_400;
        int unfinished = 0;
        for (int b = 0; b < 150; b++)
        {
            results.Add(h.Block(b == 0 ? (int)(day - h.NowSeconds) : 0));
            if (SettlementRound.Cursor(h.State, h.Parameters).Stage != SettlementStage.SettlementIdle) unfinished++;
        }
        Assert.Equal(SettlementStage.SettlementIdle, SettlementRound.Cursor(h.State, h.Parameters).Stage);
        return (results, unfinished);
    }

    private static SortedDictionary<string, string> Ledger(LedgerHarness h)
    {
        var view = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in h.State.Scan(""))
        {
            if (key.StartsWith(SettlementKeys.StatementPrefix, StringComparison.Ordinal))
            {
                var line = StatementLine.Parser.ParseFrom(value);
                line.Height = 0; // the block that settled it: the only thing the split may change
                view[key] = line.ToString();
            }
            else if (key.StartsWith(SettlementKeys.IntervalPrefix, StringComparison.Ordinal))
            {
                var record = IntervalSettlement.Parser.ParseFrom(value);
                record.Height = 0;
                view[key] = record.ToString();
            }
            else view[key] = Convert.ToHexString(value);
        }
        return view;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    public void IntervalsAndDaysSplitOverBlocks_SettleExactlyAsOneBigBlock(int steps)
    {
        const int seed = 2026_12;
        var whole = Market(steps: null);
        var split = Market(steps);
        var (wholeResults, wholeUnfinished) = Run(whole, seed);
        var (splitResults, splitUnfinished) = Run(split, seed);
        Assert.Equal(wholeResults.SelectMany(r => r).Select(r => $"{r.Code} {r.Message}"), splitResults.SelectMany(r => r).Select(r => $"{r.Code} {r.Message}"));
        // The split really split: blocks ended with an event in progress (never with the default budget).
        Assert.Equal(0, wholeUnfinished);
        Assert.True(splitUnfinished >= 2, $"seed {seed}: a budget of {steps} steps left only {splitUnfinished} blocks with an event in progress");
        var expected = Ledger(whole.H);
        var actual = Ledger(split.H);
        Assert.DoesNotContain(actual.Keys, k => k.StartsWith(SettlementKeys.PositionPrefix, StringComparison.Ordinal));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, value) in expected) Assert.True(value == actual[key], $"seed {seed}, {steps} steps a block: {key} differs\n whole: {value}\n split: {actual[key]}");
        // The story reached every stage: receivables were owed, standby fees charged.
        Assert.Contains(expected, kv => kv.Key.EndsWith("/Standby", StringComparison.Ordinal));
        Assert.Contains(expected, kv => kv.Key.StartsWith(SettlementKeys.StatementPrefix, StringComparison.Ordinal) && kv.Value.Contains("receivableAdded", StringComparison.Ordinal));
    }


    [Fact]
    public void GenesisMonthsBack_FirstBlockPassesIdleIntervalsInFewSteps_AndChargesEveryMissedDay()
    {
        // devnet/genesis.sample.json's shape: genesis on 2026-01-01, one-minute intervals; the node starts eleven months
        // later. 467,000 intervals are due, none with anything to settle; 325 standby days with three participants are.
        var genesis = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var h = new LedgerHarness(configure: g =>
        {
            g.GenesisTime = genesis.ToString("O");
            g.IntervalSeconds = 60;
            g.GateClosureSeconds = 30;
            g.ReadingWindowSeconds = 300;
            g.Fees.PolrStandbyPerDay = 1_000;
        });
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 30, TimeSpan.Zero);
        var execution = h.Executor.Execute(h.State, h.AppHash, 1, now.ToUnixTimeMilliseconds(), []);
        h.State.Apply(execution.Changes);
        var cursor = SettlementRound.Cursor(h.State, h.Parameters);
        // 2 × 325 days + 10 months, far below one block's budget: every idle stretch between two day boundaries is one step.
        Assert.Equal(SettlementStage.SettlementIdle, cursor.Stage);
        ulong firstNotDue = ((ulong)now.ToUnixTimeSeconds() - 360) / 60 * 60 + 60;
        Assert.Equal(firstNotDue, cursor.NextInterval);
        Assert.Equal((ulong)new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), cursor.StandbyDay);
        Assert.Equal((ulong)new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), cursor.SubscriptionMonth);
        Assert.Equal(10_000_000UL - 325 * 1_000, h.Account(h.Alice).Balance);
        Assert.Equal(325UL * 1_000, h.Account(h.Aggregator).Debt);
        // No interval record for the idle intervals; one statement line per participant (and the utility) and day.
        Assert.Empty(h.State.Scan(SettlementKeys.IntervalPrefix));
        Assert.Equal(4 * 325, h.State.Scan(SettlementKeys.StatementPrefix).Count());
    }
}
