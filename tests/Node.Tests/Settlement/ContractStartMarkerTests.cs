using P2PEnergy.Contracts.Ledger;
using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Node.Tests.Grid;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>
/// A contract writes a <c>contract-start/&lt;interval&gt;</c> marker so settlement finds the next interval with work in one
/// seek (docs/settlement.md). Once settlement has reached that interval the marker has done its job: it is deleted when
/// the interval's settlement starts (or is skipped after a failure), so state does not keep one marker per interval in
/// which a contract ever started — and every node deletes it in the same block, so app hashes agree on a cold replay.
/// </summary>
public class ContractStartMarkerTests
{
    private static List<string> Markers(IStateReader state) => state.Scan(SettlementKeys.ContractStartPrefix).Select(kv => kv.Key).ToList();

    [Fact]
    public void MarkerOfASettledInterval_IsDeleted_LaterOnesStay_AndAColdReplayAgrees()
    {
        var h = SmallFeeder.Chain();
        var first = h.Contract(h.Alice, h.Bob);
        var later = h.Contract(h.Alice, h.Bob, start: first.IntervalStart + 4 * LedgerHarness.Interval, count: 1, nonce: 2);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(first, h.Alice, h.Bob)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(later, h.Alice, h.Bob)).Code);
        Assert.Equal([SettlementKeys.ContractStart(first.IntervalStart), SettlementKeys.ContractStart(later.IntervalStart)], Markers(h.State));

        SettleThrough(h, first.IntervalStart + LedgerHarness.Interval);
        Assert.NotNull(h.State.Get(SettlementKeys.Interval(first.IntervalStart))); // it did settle, with its contract
        Assert.Equal([SettlementKeys.ContractStart(later.IntervalStart)], Markers(h.State));

        SettleThrough(h, later.IntervalStart);
        Assert.Empty(Markers(h.State));
        Assert.Equal(1u, IntervalSettlement.Parser.ParseFrom(h.State.Get(SettlementKeys.Interval(later.IntervalStart))).Contracts);
        Assert.True(ColdReplay.FirstDifference(h, SmallFeeder.Chain()) is not { } difference, ColdReplay.FirstDifference(h, SmallFeeder.Chain()));
    }

    /// <summary>Executes an empty block once the interval's reading window has closed, so that it settles.</summary>
    private static void SettleThrough(LedgerHarness h, ulong intervalStart)
    {
        h.Block((int)(intervalStart + LedgerHarness.Interval + h.Parameters.ReadingWindowSeconds - h.NowSeconds));
        Assert.True(SettlementProgress.NextInterval(h.State) > intervalStart);
    }

    [Fact]
    public void MarkerOfAnIntervalSkippedAfterAFailure_IsDeleted()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        // A POLR tariff history that does not parse: the interval's start throws, and the interval is skipped whole.
        h.State.Apply([new StateChange(StateKeys.PolrTariff, [0x0A, 0x05])]);
        var execution = SettlementFailureTests.Block(h, h.Height + 1, s.SettlesAt(s.First));
        Assert.NotEmpty(execution.Faults);
        Assert.True(SettlementProgress.NextInterval(h.State) > s.First);
        Assert.Empty(Markers(h.State));
    }

    /// <summary>The node's own path: blocks from the engine into a store, then <c>p2pe-node verify</c>'s cold replay.</summary>
    [Fact]
    public void ChainWhoseIntervalsSettled_HoldsNoMarkers_AndVerifiesCold()
    {
        var gridModel = SmallFeeder.File().ToJsonBytes();
        // A 5-minute heartbeat: an idle chain commits a block every 5 virtual minutes, so reaching the settlement takes few blocks.
        var node = new TestNode(heartbeatMs: 300_000, chain: SmallFeeder.Chain(), gridModel: gridModel);
        var chain = node.Chain;
        var terms = chain.Contract(chain.Alice, chain.Bob, start: (ulong)LedgerHarness.Genesis.ToUnixTimeSeconds() + 2 * LedgerHarness.Interval);
        Assert.True(node.Mempool.Submit(LedgerHarness.Envelope(terms, chain.Alice, chain.Bob).ToByteArray()).Accepted);
        Assert.Equal(ReasonCodes.Ok, Assert.Single(node.CommitNext()!.Results).Code);
        Assert.Single(Markers(node.Store));

        // Past both intervals' reading windows: a heartbeat block settles them.
        ulong settled = terms.IntervalStart + 2 * LedgerHarness.Interval + chain.Parameters.ReadingWindowSeconds;
        node.RunFor(TimeSpan.FromMilliseconds(((long)settled + 1) * 1000 - node.NowMs + 300_000));
        Assert.True(node.Store.GetBlock(node.Store.Height)!.Header.TimeMs > (long)settled * 1000);
        Assert.True(SettlementProgress.NextInterval(node.Store) > terms.IntervalStart + LedgerHarness.Interval);
        Assert.NotNull(node.Store.Get(SettlementKeys.Interval(terms.IntervalStart)));
        Assert.Empty(Markers(node.Store));
        Assert.Null(ChainVerifier.Verify(chain.Document, node.Store, gridModel));
    }
}
