using Microsoft.AspNetCore.Http;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>GetStatement and GetSettlement answer from the records settlement keeps in state.</summary>
public class SettlementServiceTests
{
    private static readonly ServerCallContext Call = new TestCallContext("/p2pe.v1.Settlement/Test", default);

    [Fact]
    public async Task Statement_ListsEachSettledIntervalWithRunningBalance_AndSettlementHasTotals()
    {
        var s = new SettlementScenario(configure: g => g.Fees.PolrStandbyPerDay = 10_000).WithContract();
        var h = s.H;
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 1_500), s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At((ulong)LedgerHarness.Genesis.ToUnixTimeSeconds() + 86_400 + 1);
        var service = new SettlementService(h.State, h.Parameters);

        var statement = await service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Alice) }, Call);
        Assert.Equal(["Interval", "Interval", "Standby"], statement.Lines.Select(l => l.Kind));
        Assert.Equal(s.Account(h.Alice).Balance, statement.Lines[^1].BalanceAfter);
        Assert.Equal(statement.Lines[0].BalanceAfter + SettlementScenario.Payment - SettlementScenario.DmoFee / 4, statement.Lines[1].BalanceAfter);
        var window = await service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Alice), From = s.Second, To = s.Second + 1 }, Call);
        Assert.Equal(s.Second, Assert.Single(window.Lines).Time);

        var totals = await service.GetSettlement(new GetSettlementRequest { IntervalStart = s.First }, Call);
        Assert.Equal((SettlementScenario.Payment, 500UL, 2u), (totals.ContractPayments, totals.PolrSuppliedWh, totals.Readings));
        var later = await Assert.ThrowsAsync<RpcException>(() => service.GetSettlement(new GetSettlementRequest { IntervalStart = s.Second + 100 * LedgerHarness.Interval }, Call));
        Assert.Equal((StatusCode.NotFound, ApiReasons.NotSettled.Code), (later.StatusCode, NodeRefusal.Of(later).Code));
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => service.GetSettlement(new GetSettlementRequest { IntervalStart = 7 }, Call))).StatusCode);
    }

    [Fact]
    public async Task Settlement_OfAnIntervalStillSettlingOverBlocks_IsNotReported_AndAnIdleOneBehindTheCursorIsEmpty()
    {
        // Two steps a block: the interval's settlement spans several blocks (issue 12 item 2).
        var s = new SettlementScenario(settlementSteps: 2).WithContract();
        var h = s.H;
        s.At(s.Second + LedgerHarness.Interval, s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 1_500), s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0));
        s.At(s.SettlesAt(s.First));
        var service = new SettlementService(h.State, h.Parameters);
        var settling = await Assert.ThrowsAsync<RpcException>(() => service.GetSettlement(new GetSettlementRequest { IntervalStart = s.First }, Call));
        Assert.Equal((StatusCode.NotFound, ApiReasons.Settling.Code), (settling.StatusCode, NodeRefusal.Of(settling).Code));
        Assert.Contains("is settling", settling.Message);
        Assert.Equal(0u, SettlementProgress.SettledIntervals(h.State, Contracts.Protos.ContractState.Parser.ParseFrom(h.State.Scan(Node.Ledger.State.StateKeys.ContractPrefix).Single().Value), LedgerHarness.Interval));

        // An interval behind the cursor with nothing in it was passed over: settled, empty, no block did work for it.
        // (Two intervals back is genesis's own; four, which this asked for, lay before genesis: BEFORE_GENESIS now.)
        var idle = await service.GetSettlement(new GetSettlementRequest { IntervalStart = s.First - 2 * LedgerHarness.Interval }, Call);
        Assert.Equal(new IntervalSettlement { IntervalStart = s.First - 2 * LedgerHarness.Interval }, idle);

        for (int b = 0; b < 10 && SettlementProgress.NextInterval(h.State) == s.First; b++) s.At(h.NowSeconds + 1);
        var done = await service.GetSettlement(new GetSettlementRequest { IntervalStart = s.First }, Call);
        Assert.Equal((1u, 500UL, 2u), (done.Contracts, done.PolrSuppliedWh, done.Readings));
    }

    /// <summary>
    /// Settlement starts at the interval holding genesis time: behind the cursor an earlier interval answered an empty
    /// record, as if it had settled with nothing in it.
    /// </summary>
    [Fact]
    public async Task Settlement_OfAnIntervalBeforeGenesis_IsRefusedBeforeGenesis_NamingTheIntervalAndGenesis()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(s.SettlesAt(s.First));
        var service = new SettlementService(h.State, h.Parameters);
        ulong genesis = (ulong)LedgerHarness.Genesis.ToUnixTimeSeconds(), first = genesis / LedgerHarness.Interval * LedgerHarness.Interval;
        ulong before = first - LedgerHarness.Interval;
        var refused = await Assert.ThrowsAsync<RpcException>(() => service.GetSettlement(new GetSettlementRequest { IntervalStart = before }, Call));
        Assert.Equal((StatusCode.OutOfRange, ApiReasons.BeforeGenesis.Code), (refused.StatusCode, NodeRefusal.Of(refused).Code));
        Assert.Equal($"interval {before} ({Contracts.Energy.IsoTime.Format(before)}) is before genesis ({Contracts.Energy.IsoTime.Format(genesis)}): the chain's first interval starts at {first}",
            NodeRefusal.Of(refused).Message);
        // The interval holding genesis is the chain's first: behind the cursor and idle, it settled empty.
        Assert.Equal(new IntervalSettlement { IntervalStart = first }, await service.GetSettlement(new GetSettlementRequest { IntervalStart = first }, Call));
    }

    /// <summary>
    /// An interval whose settlement failed at its start and was skipped whole (a SettlementError) has no record and never
    /// will: it answered an empty record, as if it had settled with nothing in it, while its contract's instalment stayed
    /// in escrow.
    /// </summary>
    [Fact]
    public async Task Settlement_OfAnIntervalSkippedAfterAFailure_IsRefusedSettlementFailed_NamingHeightStageAndError()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        // A POLR tariff history that does not parse: the interval's start (which fixes its prices) throws.
        h.State.Apply([new Node.Ledger.State.StateChange(Node.Ledger.State.StateKeys.PolrTariff, [0x0A, 0x05])]);
        ulong height = h.Height + 1;
        var execution = SettlementFailureTests.Block(h, height, s.SettlesAt(s.First));
        Assert.NotEmpty(execution.Faults);
        Assert.True(SettlementProgress.NextInterval(h.State) > s.First);
        var service = new SettlementService(h.State, h.Parameters);
        var refused = await Assert.ThrowsAsync<RpcException>(() => service.GetSettlement(new GetSettlementRequest { IntervalStart = s.First }, Call));
        Assert.Equal((StatusCode.NotFound, ApiReasons.SettlementFailed.Code), (refused.StatusCode, NodeRefusal.Of(refused).Code));
        Assert.Equal($"interval {s.First} has no settlement: it failed at height {height} in stage SettlementIdle (settlement step failed: Google.Protobuf.InvalidProtocolBufferException) and was skipped; its SettlementError is in state, its contracts' instalments stay in escrow",
            NodeRefusal.Of(refused).Message);
    }

    [Fact]
    public async Task ContractLines_OfEachSettledInterval_SumToTheStatementLinesContractAmounts_ForSellerAndBuyer()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At(s.SettlesAt(s.Second) + 1);
        var service = new SettlementService(h.State, h.Parameters);
        foreach (var (party, sell) in new[] { (h.Alice, true), (h.Bob, false) })
        {
            var statement = await service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(party), ContractLines = true }, Call);
            Assert.Equal([s.First, s.Second], statement.ContractLines.Select(l => l.Time));
            foreach (var line in statement.Lines.Where(l => l.Kind == "Interval"))
            {
                var lines = statement.ContractLines.Where(c => c.Time == line.Time).ToList();
                Assert.All(lines, c => Assert.Equal((sell, 2_000UL), (c.Sell, c.Wh)));
                Assert.Equal(line.ContractReceived, (ulong)lines.Sum(c => (long)c.ContractReceived));
                Assert.Equal(line.ContractPaid, (ulong)lines.Sum(c => (long)c.ContractPaid));
                Assert.Equal(line.DmoFeePaid, (ulong)lines.Sum(c => (long)c.DmoFeePaid));
                Assert.Equal(line.GridFeePaid, (ulong)lines.Sum(c => (long)c.GridFeePaid));
            }
            Assert.Equal(SettlementScenario.Payment * 2, (ulong)statement.ContractLines.Sum(c => (long)(sell ? c.ContractReceived : c.ContractPaid)));
        }
        // Without the flag the statement carries no contract lines; with a window only the lines inside it.
        Assert.Empty((await service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Alice) }, Call)).ContractLines);
        var window = await service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Alice), ContractLines = true, From = s.Second }, Call);
        Assert.Equal(s.Second, Assert.Single(window.ContractLines).Time);
    }

    [Fact]
    public async Task ContractLines_OfOneContract_NeedAPartyAndAContractThatExists()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(s.SettlesAt(s.Second) + 1);
        var service = new SettlementService(h.State, h.Parameters);
        var id = h.State.Scan(Node.Ledger.State.StateKeys.ContractPrefix).Single().Value;
        var contract = Contracts.Protos.ContractState.Parser.ParseFrom(id);
        var one = await service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Bob), ContractId = contract.Id }, Call);
        Assert.Equal(2, one.ContractLines.Count);
        Assert.All(one.ContractLines, l => Assert.Equal(contract.Id, l.ContractId));

        var stranger = await Assert.ThrowsAsync<RpcException>(() => service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Carol), ContractId = contract.Id }, Call));
        Assert.Equal(ApiReasons.UnknownAccount.Code, NodeRefusal.Of(stranger).Code); // Carol has no account at all in this genesis
        var aggregator = await Assert.ThrowsAsync<RpcException>(() => service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Aggregator), ContractId = contract.Id }, Call));
        Assert.Equal(ApiReasons.InvalidField.Code, NodeRefusal.Of(aggregator).Code);
        Assert.Contains("is neither the seller nor the buyer", aggregator.Message);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => service.GetStatement(new GetStatementRequest { Account = SettlementScenario.A(h.Bob), ContractId = Google.Protobuf.ByteString.CopyFrom(new byte[32]) }, Call));
        Assert.Equal(ApiReasons.UnknownContract.Code, NodeRefusal.Of(unknown).Code);
    }
}
