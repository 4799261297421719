using Microsoft.AspNetCore.Http;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
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
        Assert.Equal(StatusCode.NotFound, later.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => service.GetSettlement(new GetSettlementRequest { IntervalStart = 7 }, Call))).StatusCode);
    }
}
