using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// Issue 12 item 1: a block's outcome is a function of committed state and the block, never of what a node's flow-book
/// cache remembers. Each story runs on a warm node (one executor and cache over every block) and is replayed with a
/// fresh executor per block (a restarted node, another validator); results and app hashes must agree. SP1 is rated
/// 10 kW here, the meters' limits are 10 kW, and 2,000 Wh in a 900 s interval is 8 kW.
/// </summary>
public class FlowBookCacheOutcomeTests
{
    private static LedgerHarness Chain() => SmallFeeder.Chain(sp1Rating: 10_000);

    private static Transaction Signed(LedgerHarness h, EnergyContract terms) => LedgerHarness.Envelope(terms, h.Alice, h.Bob);

    private static Transaction Baseline(LedgerHarness h, ulong start, long activeW, ulong nonce)
    {
        var baseline = new SetBaseline { IntervalStart = start, IntervalCount = 1, Nonce = nonce };
        baseline.Entries.Add(new BaselineEntry { Element = "SP1", ActiveW = activeW });
        return LedgerHarness.Envelope(baseline, h.Planner);
    }

    // Bob holds 10,000,000 µ; at this price the escrow is far beyond it, so the contract passes the grid stage and is
    // refused for funds after it.
    private const ulong Unaffordable = 100_000_000_000;

    [Fact]
    public void ContractRefusedForFunds_ThenBaseline_DoesNotLeaveAStaleBook_MeterLimitCase()
    {
        var h = Chain();
        var start = h.IntervalAhead(2);
        Assert.Equal(ReasonCodes.InsufficientFunds, h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 2_000, price: Unaffordable, count: 1, nonce: 1))).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(Baseline(h, start, 3_000, nonce: 2)).Code);
        // 3 kW baseline + 6 kW = 9 kW on SP1 and 6 kW at the meter: within every limit. A book that still held the
        // refused 8 kW would say METER_LIMIT (8 + 6 kW at MTR-A).
        var result = h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 1_500, count: 1, nonce: 3)));
        Assert.Equal((ReasonCodes.Ok, ""), (result.Code, result.Message));
        Assert.Null(ColdReplay.FirstDifference(h, Chain()));
    }

    [Fact]
    public void ContractRefusedForFunds_ThenBaseline_DoesNotLeaveAStaleBook_ThermalLimitCase()
    {
        var h = Chain();
        var start = h.IntervalAhead(2);
        Assert.Equal(ReasonCodes.InsufficientFunds, h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 250, price: Unaffordable, count: 1, nonce: 1))).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(Baseline(h, start, 5_000, nonce: 2)).Code);
        // 5 kW baseline + 6 kW = 11 kW on a 10 kW branch: refused. A book without the baseline (but with the refused
        // 1 kW) would admit it at 7 kW.
        var result = h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 1_500, count: 1, nonce: 3)));
        Assert.Equal(ReasonCodes.ThermalLimit, result.Code);
        Assert.Equal($"feeder F1 service point SP1: 11 kW > 10 kW in {IsoTime.Format(start)}", result.Message);
        Assert.Null(ColdReplay.FirstDifference(h, Chain()));
    }

    [Fact]
    public void BlockExecutedButNeverCommitted_LeavesNoTraceInTheNextBlocks()
    {
        var h = Chain();
        var start = h.IntervalAhead(2);
        // A proposal holding an 8 kW contract is executed and then abandoned: its writes never reach state.
        var abandoned = h.Executor.Execute(h.State, h.AppHash, h.Height + 1, h.TimeMs + 1000,
            [(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 2_000, count: 1, nonce: 1)).ToByteArray(), null)]);
        Assert.Equal(ReasonCodes.Ok, abandoned.Results[0].Code);
        Assert.Equal(ReasonCodes.Ok, h.One(Baseline(h, start, 3_000, nonce: 2)).Code);
        var result = h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 1_500, count: 1, nonce: 3)));
        Assert.Equal((ReasonCodes.Ok, ""), (result.Code, result.Message));
        Assert.Null(ColdReplay.FirstDifference(h, Chain()));
    }
}
