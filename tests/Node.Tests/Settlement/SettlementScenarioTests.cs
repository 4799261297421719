using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>The settlement stories of issue #5; the harness checks every invariant after every block.</summary>
public class SettlementScenarioTests
{
    private const ulong Start = 10_000_000;

    [Fact]
    public void SellerUnderDelivers_PaysPolrForShortfall_BuyerStillGetsItsContract()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 1_500), s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At(s.SettlesAt(s.First) - 1);
        Assert.Null(s.Settlement(s.First));
        s.At(s.SettlesAt(s.Second));

        ulong shortfall = 500 * SettlementScenario.PolrSell / 1000;
        Assert.Equal(Start + 2 * SettlementScenario.Payment - SettlementScenario.DmoFee / 2 - shortfall, s.Account(h.Alice).Balance);
        Assert.Equal(Start - 2 * SettlementScenario.Payment - SettlementScenario.DmoFee / 2 - SettlementScenario.GridFee, s.Account(h.Bob).Balance);
        Assert.Equal(0UL, s.Account(h.Bob).Escrow);
        Assert.Equal(SettlementScenario.DmoFee, s.Account(h.Operator).Balance);
        Assert.Equal(SettlementScenario.GridFee + shortfall, s.Account(h.Utility).Balance);

        var first = s.Settlement(s.First)!;
        Assert.Equal((1u, 500UL, 0UL, -500L), (first.Contracts, first.PolrSuppliedWh, first.PolrAbsorbedWh, first.ImbalanceWh));
        var alice = s.Line(h.Alice, s.First)!;
        Assert.Equal((-500L, shortfall, SettlementScenario.Payment), (alice.ImbalanceWh, alice.ImbalanceCharge, alice.ContractReceived));
        Assert.Equal(0L, s.Line(h.Bob, s.First)!.ImbalanceWh);
        Assert.Equal(0UL, s.Settlement(s.Second)!.PolrSuppliedWh);
        Assert.Equal(2u, SettlementProgress.SettledIntervals(h.State, ContractState(h), LedgerHarness.Interval));
    }

    [Fact]
    public void BuyerOverConsumes_BuysTheExcessFromPolr()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.First, 2_600, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At(s.SettlesAt(s.Second));
        ulong excess = 600 * SettlementScenario.PolrSell / 1000;
        Assert.Equal(Start - 2 * SettlementScenario.Payment - SettlementScenario.DmoFee / 2 - SettlementScenario.GridFee - excess, s.Account(h.Bob).Balance);
        Assert.Equal(Start + 2 * SettlementScenario.Payment - SettlementScenario.DmoFee / 2, s.Account(h.Alice).Balance);
        var line = s.Line(h.Bob, s.First)!;
        Assert.Equal((-600L, excess, SettlementScenario.Payment), (line.ImbalanceWh, line.ImbalanceCharge, line.ContractPaid));
        Assert.Equal(600UL, s.Settlement(s.First)!.PolrSuppliedWh);
    }

    [Fact]
    public void MissingReading_CountsAsZero_AndUnpaidChargeBecomesDebtThatBlocksTrading()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(h.NowSeconds + 1, LedgerHarness.Envelope(new Withdraw { Account = SettlementScenario.A(h.Alice), Amount = Start, Nonce = 50 }, h.Operator));
        // Alice's meter never reports the first interval; Bob's does.
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At(s.SettlesAt(s.First));

        var record = s.Settlement(s.First)!;
        Assert.Equal((1u, 2_000UL), (record.MissingReadings, record.PolrSuppliedWh));
        ulong charge = 2_000 * SettlementScenario.PolrSell / 1000;
        ulong payout = SettlementScenario.Payment - SettlementScenario.DmoFee / 2 / 2; // first half of the seller's fee share
        var alice = s.Account(h.Alice);
        Assert.Equal((0UL, charge - payout), (alice.Balance, alice.Debt));
        Assert.Equal(charge - payout, record.DebtAdded);
        Assert.Equal(charge - payout, s.Line(h.Alice, s.First)!.DebtAfter);

        var blocked = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 7), h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.InDebt, blocked.Code);

        ulong utilityBefore = s.Account(h.Utility).Balance;
        s.At(h.NowSeconds + 1, LedgerHarness.Envelope(new Deposit { Account = SettlementScenario.A(h.Alice), Amount = 1_000_000, Nonce = 51 }, h.Operator));
        Assert.Equal(0UL, s.Account(h.Alice).Debt);
        Assert.Equal(utilityBefore + charge - payout, s.Account(h.Utility).Balance);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 8), h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void SurplusBeyondUtilityFunds_IsARecordedReceivable_PaidWhenTheUtilityHoldsFunds()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 4_000), s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 2_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At(s.SettlesAt(s.First));
        ulong credit = 2_000 * SettlementScenario.PolrBuy / 1000;
        ulong gridShare = SettlementScenario.GridFee / 2;
        Assert.Equal(0UL, s.Account(h.Utility).Balance);
        Assert.Equal(credit - gridShare, s.Account(h.Utility).PolrPayable);
        Assert.Equal(credit - gridShare, s.Account(h.Alice).PolrReceivable);
        Assert.Equal(credit - gridShare, s.Settlement(s.First)!.ReceivableAdded);

        // Funds reaching the utility pay the receivable at the next settlement event.
        s.At(h.NowSeconds + 1, LedgerHarness.Envelope(new Deposit { Account = SettlementScenario.A(h.Utility), Amount = 1_000_000, Nonce = 60 }, h.Operator));
        s.At(s.SettlesAt(s.Second));
        Assert.Equal(0UL, s.Account(h.Alice).PolrReceivable);
        Assert.Equal(0UL, s.Account(h.Utility).PolrPayable);
        Assert.Equal(credit - gridShare, s.Line(h.Alice, s.Second)!.ReceivablePaid);
    }

    [Fact]
    public void PolrPriceChange_AppliesFromExactlyItsInterval()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        const ulong newSell = 900_000;
        var tariff = new SetPolrTariff { EffectiveFrom = s.Second, Nonce = 70 };
        tariff.Prices.Add(new PolrPrice { FromMinute = 0, SellPerKwh = newSell, BuyPerKwh = SettlementScenario.PolrBuy });
        s.At(h.NowSeconds + 1, LedgerHarness.Envelope(tariff, h.Utility));
        s.At(s.Second + LedgerHarness.Interval,
            s.Reading(h.AliceDevice, "MTR-A", s.First, 0, 1_000), s.Reading(h.BobDevice, "MTR-B", s.First, 2_000, 0),
            s.Reading(h.AliceDevice, "MTR-A", s.Second, 0, 1_000), s.Reading(h.BobDevice, "MTR-B", s.Second, 2_000, 0));
        s.At(s.SettlesAt(s.Second));
        Assert.Equal(1_000 * SettlementScenario.PolrSell / 1000, s.Line(h.Alice, s.First)!.ImbalanceCharge);
        Assert.Equal(1_000 * newSell / 1000, s.Line(h.Alice, s.Second)!.ImbalanceCharge);
        Assert.Equal((SettlementScenario.PolrSell, newSell), (s.Settlement(s.First)!.SellPerKwh, s.Settlement(s.Second)!.SellPerKwh));
    }

    [Fact]
    public void StandbyFees_ChargedAtEachDayBoundary_UnpaidBecomesDebt()
    {
        const ulong standby = 50_000;
        var s = new SettlementScenario(configure: g => g.Fees.PolrStandbyPerDay = standby);
        var h = s.H;
        ulong day = (ulong)LedgerHarness.Genesis.ToUnixTimeSeconds() + 86_400;
        s.At(day - 1);
        Assert.Equal(Start, s.Account(h.Alice).Balance);
        s.At(day);
        Assert.Equal(Start - standby, s.Account(h.Alice).Balance);
        Assert.Equal(Start - standby, s.Account(h.Bob).Balance);
        Assert.Equal(standby, s.Account(h.Aggregator).Debt); // nothing to pay with
        Assert.Equal(2 * standby, s.Account(h.Utility).Balance);
        Assert.Equal(standby, s.Line(h.Alice, day, "Standby")!.StandbyFee);
        // Two boundaries crossed by one block charge two days.
        s.At(day + 2 * 86_400 + 5);
        Assert.Equal(Start - 3 * standby, s.Account(h.Alice).Balance);
        Assert.Equal(3 * standby, s.Account(h.Aggregator).Debt);
        Assert.NotNull(s.Line(h.Bob, day + 86_400, "Standby"));
    }

    [Fact]
    public void Subscription_ChargedAtTheMonthBoundary_ToTheMarketOperator()
    {
        var s = new SettlementScenario(configure: g => g.Fees.DmoSubscriptionPerMonth = 3_000);
        var h = s.H;
        ulong month = (ulong)new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        s.At(month);
        Assert.Equal(Start - 3_000, s.Account(h.Alice).Balance);
        Assert.Equal(6_000UL, s.Account(h.Operator).Balance);
        Assert.Equal(3_000UL, s.Line(h.Aggregator, month, "Subscription")!.Uncollected);
    }

    [Fact]
    public void IndependentDmo_UtilityMayTrade_ItsOwnImbalanceIsEnergyOnly()
    {
        var s = new SettlementScenario("IndependentDmo", utilityMayTrade: true, g => g.Meters.Add(new() { Meter = "MTR-U", Owner = g.Utility, GridNode = "SP9", Device = g.Utility, ImportLimitW = 10_000, ExportLimitW = 10_000 }));
        var h = s.H;
        var terms = h.Contract(h.Alice, h.Bob);
        terms.Seller = SettlementScenario.A(h.Utility);
        terms.SellerMeter = "MTR-U";
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(terms, h.Utility, h.Bob)).Code);
        s.At(terms.IntervalStart + 2 * LedgerHarness.Interval, s.Reading(h.BobDevice, "MTR-B", terms.IntervalStart, 2_000, 0));
        s.At(s.SettlesAt(terms.IntervalStart));
        var record = s.Settlement(terms.IntervalStart)!;
        Assert.Equal((2_000UL, 0UL), (record.PolrSuppliedWh, record.PolrCharges));
        Assert.Equal(SettlementScenario.Payment + SettlementScenario.GridFee / 2 - SettlementScenario.DmoFee / 4, s.Account(h.Utility).Balance);
    }

    [Fact]
    public void UtilityDmo_UtilityCannotTrade_ParticipantsStillSettle()
    {
        var s = new SettlementScenario("UtilityDmo").WithContract();
        var h = s.H;
        var terms = h.Contract(h.Alice, h.Bob, nonce: 9);
        terms.Seller = SettlementScenario.A(h.Utility);
        Assert.Equal(ReasonCodes.OperatorMayNotTrade, h.One(LedgerHarness.Envelope(terms, h.Utility, h.Bob)).Code);
        s.At(s.SettlesAt(s.Second));
        Assert.Equal(2u, SettlementProgress.SettledIntervals(h.State, ContractState(h), LedgerHarness.Interval));
        // Neither meter reported: the seller counts as short and the buyer as long by the contracted 2,000 Wh.
        var record = s.Settlement(s.First)!;
        Assert.Equal((2u, 2_000UL, 2_000UL), (record.MissingReadings, record.PolrSuppliedWh, record.PolrAbsorbedWh));
    }

    private static ContractState ContractState(LedgerHarness h)
        => Contracts.Protos.ContractState.Parser.ParseFrom(h.State.Scan(Node.Ledger.State.StateKeys.ContractPrefix).Single().Value);
}
