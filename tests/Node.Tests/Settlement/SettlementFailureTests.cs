using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>
/// Issue 12 items 3 and 7: settlement runs outside any transaction, so nothing in it may stop the chain. Values the
/// ledger admitted (a reading of 2^64−1 Wh, a contract of more than 2^63 Wh per interval) settle without throwing; a
/// step that throws anyway (here: an index entry that is not valid protobuf) is isolated and skipped with a recorded
/// SettlementError, and every later block commits. These stories break the settlement invariants on purpose, so they
/// drive the executor directly and check money conservation themselves.
/// </summary>
public class SettlementFailureTests
{
    private const ulong Day = 86_400;

    /// <summary>Executes a block on the harness's state without the harness's invariant checks.</summary>
    internal static BlockExecution Block(LedgerHarness h, ulong height, ulong unixSeconds, params Transaction[] transactions)
    {
        var previous = h.Blocks.Count == 0 ? h.AppHash : h.Blocks[^1].AppHash;
        var execution = h.Executor.Execute(h.State, previous, height, (long)unixSeconds * 1000,
            transactions.Select(t => (t.ToByteArray(), (VerifiedTransaction?)null)).ToList());
        h.State.Apply(execution.Changes);
        h.Blocks.Add((height, (long)unixSeconds * 1000, transactions.Select(t => t.ToByteArray()).ToList(), execution.AppHash));
        return execution;
    }

    private static ulong Held(LedgerHarness h)
        => h.State.Scan(StateKeys.AccountPrefix).Select(kv => AccountState.Parser.ParseFrom(kv.Value)).Aggregate(0UL, (sum, a) => checked(sum + a.Balance + a.Escrow));

    /// <summary>Daily intervals, no fees, meters without limits: the shapes in which the largest values are admissible.</summary>
    private static LedgerHarness DailyChain() => new(configure: g =>
    {
        g.IntervalSeconds = Day;
        g.ReadingWindowSeconds = Day;
        g.Fees = new() { PolrPrices = [new() { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 100_000 }] };
        g.Participants[1].Deposit = 20_000_000_000_000_000;
        foreach (var m in g.Meters) (m.ImportLimitW, m.ExportLimitW) = (ulong.MaxValue, ulong.MaxValue);
    });

    [Fact]
    public void ReadingOf2To64Minus1Wh_Settles_AndTheChainGoesOn()
    {
        var h = DailyChain();
        ulong interval = h.NowSeconds / Day * Day + Day;
        var reading = LedgerHarness.Envelope(new MeterReading { Meter = "MTR-A", IntervalStart = interval, ExportWh = ulong.MaxValue }, h.AliceDevice);
        ulong held = Held(h);
        Assert.Equal(ReasonCodes.Ok, Block(h, 1, interval + Day + 10, reading).Results[0].Code);
        var settled = Block(h, 2, interval + 2 * Day);
        Assert.Empty(settled.Faults);
        var record = IntervalSettlement.Parser.ParseFrom(h.State.Get(SettlementKeys.Interval(interval)));
        // The surplus is counted to the field's bound; what the POLR owes saturates; no money appears or vanishes.
        Assert.Equal((ulong.MaxValue, long.MaxValue, ulong.MaxValue), (record.PolrAbsorbedWh, record.ImbalanceWh, record.PolrCredits));
        Assert.Equal(ulong.MaxValue, h.Account(h.Alice).PolrReceivable);
        Assert.Equal(held, Held(h));
        Assert.Equal(ReasonCodes.Ok, Block(h, 3, interval + 2 * Day + 1, LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(h.Bob.Address.Bytes), Amount = 1, Nonce = 1 }, h.Operator)).Results[0].Code);
    }

    [Fact]
    public void ContractOfMoreThan2To63WhPerInterval_Settles_AndTheChainGoesOn()
    {
        var h = DailyChain();
        ulong interval = h.NowSeconds / Day * Day + Day;
        var terms = h.Contract(h.Alice, h.Bob, start: interval, wh: (1UL << 63) + 10, price: 1, count: 1);
        terms.ValidUntil = interval;
        var commit = Block(h, 1, h.NowSeconds + 1, LedgerHarness.Envelope(terms, h.Alice, h.Bob)).Results[0];
        Assert.True(commit.Code == ReasonCodes.Ok, commit.Message);
        ulong held = Held(h);
        var settled = Block(h, 2, interval + 2 * Day);
        Assert.Empty(settled.Faults);
        var record = IntervalSettlement.Parser.ParseFrom(h.State.Get(SettlementKeys.Interval(interval)));
        Assert.Equal(1u, record.Contracts);
        // Neither meter reported: the seller is short by the whole 2^63 + 10 Wh and the buyer long by it.
        Assert.Equal(((1UL << 63) + 10, (1UL << 63) + 10), (record.PolrSuppliedWh, record.PolrAbsorbedWh));
        Assert.Equal(0UL, h.Account(h.Bob).Escrow);
        Assert.Equal(held, Held(h));
    }

    [Fact]
    public void SettlementStepThatThrows_IsSkippedAndRecorded_TheRestSettles_AndLaterBlocksCommit()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        // A bug wrote an interval index entry that is not valid protobuf, between the real contract's entries.
        var real = h.State.Scan(StateKeys.ContractByIntervalPrefix).Single().Key;
        var poison = real[..real.LastIndexOf('/')] + "/" + StateKeys.Number(999); // same end and height, a later position
        h.State.Apply([new StateChange(poison, [0x0A, 0x05])]);
        ulong held = Held(h);

        var execution = Block(h, h.Height + 1, s.SettlesAt(s.First));
        var fault = Assert.Single(execution.Faults);
        Assert.IsType<InvalidDataException>(fault.Exception);
        var error = SettlementError.Parser.ParseFrom(Assert.Single(h.State.Scan(SettlementKeys.ErrorPrefix)).Value);
        Assert.Equal((IntervalSettler.Kind, s.First, SettlementStage.IntervalContracts, poison), (error.Event, error.EventTime, error.Stage, error.Item));
        // The record names the exception's type only (hashed into the app hash; runtime texts may change), the log the rest.
        Assert.Equal("settlement step failed: System.IO.InvalidDataException", error.Message);
        Assert.StartsWith("stored ContractDue is not valid protobuf", fault.Exception.Message);
        var record = IntervalSettlement.Parser.ParseFrom(h.State.Get(SettlementKeys.Interval(s.First)));
        Assert.Equal((1u, 1u), (record.Contracts, record.Skipped)); // the real contract paid its instalment
        Assert.Equal(held, Held(h));

        // The next interval meets the same entry: skipped again, recorded again, and the chain keeps committing.
        var next = Block(h, h.Height + 2, s.SettlesAt(s.Second));
        Assert.Single(next.Faults);
        Assert.Equal(2, h.State.Scan(SettlementKeys.ErrorPrefix).Count());
        Assert.Equal(s.Second + LedgerHarness.Interval, SettlementProgress.NextInterval(h.State));
        Assert.Equal(0UL, h.Account(h.Bob).Escrow);
    }
}
