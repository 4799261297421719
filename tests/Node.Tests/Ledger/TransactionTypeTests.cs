using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>One test (or more) per transaction type, and the reason codes each can produce.</summary>
public class TransactionTypeTests
{
    private static ByteString A(PrivateKey k) => ByteString.CopyFrom(k.Address.Bytes);

    [Fact]
    public void Admit_ByOperator_AdmitsAndByOtherIsUnauthorized()
    {
        var h = new LedgerHarness();
        var admit = new Admit { Account = A(h.Carol), Role = "Producer", Name = "Carol", Nonce = 1 };
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(admit, h.Utility)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(admit, h.Operator)).Code);
        Assert.True(h.Account(h.Carol).Admitted);
        Assert.Equal(ReasonCodes.NonceReused, h.One(LedgerHarness.Envelope(admit, h.Operator)).Code);
        Assert.Equal(ReasonCodes.AlreadyExists, h.One(LedgerHarness.Envelope(new Admit { Account = A(h.Carol), Role = "Producer", Nonce = 2 }, h.Operator)).Code);
    }

    [Theory]
    [InlineData("Utility")] [InlineData("consumer")] [InlineData("")]
    public void Admit_UnknownRole_IsInvalidArgument(string role)
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(new Admit { Account = A(h.Carol), Role = role, Nonce = 1 }, h.Operator));
        Assert.Equal(ReasonCodes.InvalidArgument, result.Code);
        Assert.Contains($"'{role}'", result.Message);
    }

    [Fact]
    public void Admit_AuthorityAccount_IsRefused()
        => Assert.Equal(ReasonCodes.InvalidArgument, new LedgerHarness() is var h
            ? h.One(LedgerHarness.Envelope(new Admit { Account = A(h.Utility), Role = "Producer", Nonce = 1 }, h.Operator)).Code : "");

    [Fact]
    public void Deposit_AndWithdraw_MoveFundsInAndOut()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Deposit { Account = A(h.Alice), Amount = 500, Reference = "bank-1", Nonce = 1 }, h.Operator)).Code);
        Assert.Equal(10_000_500UL, h.Account(h.Alice).Balance);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Withdraw { Account = A(h.Alice), Amount = 10_000_500, Reference = "bank-2", Nonce = 1 }, h.Operator)).Code);
        Assert.Equal(0UL, h.Account(h.Alice).Balance);
        var over = h.One(LedgerHarness.Envelope(new Withdraw { Account = A(h.Alice), Amount = 1, Nonce = 2 }, h.Operator));
        Assert.Equal(ReasonCodes.InsufficientFunds, over.Code);
        Assert.Contains("0 micro-units free", over.Message);
    }

    [Fact]
    public void Deposit_ByParticipantOrToStranger_IsRefused()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(new Deposit { Account = A(h.Alice), Amount = 5, Nonce = 1 }, h.Alice)).Code);
        Assert.Equal(ReasonCodes.NotAdmitted, h.One(LedgerHarness.Envelope(new Deposit { Account = A(h.Stranger), Amount = 5, Nonce = 2 }, h.Operator)).Code);
        Assert.Equal(ReasonCodes.InvalidArgument, h.One(LedgerHarness.Envelope(new Deposit { Account = A(h.Alice), Amount = 0, Nonce = 3 }, h.Operator)).Code);
    }

    [Fact]
    public void Withdraw_EscrowedFunds_AreNotWithdrawable()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Bob)).Code);
        var result = h.One(LedgerHarness.Envelope(new Withdraw { Account = A(h.Bob), Amount = 10_000_000, Nonce = 1 }, h.Operator));
        Assert.Equal(ReasonCodes.InsufficientFunds, result.Code);
    }

    [Fact]
    public void RegisterMeter_ByUtility_RegistersOnceWithValidatedFields()
    {
        var h = new LedgerHarness();
        var register = new RegisterMeter { Meter = "MTR-C", Owner = A(h.Alice), GridNode = "SP3", Device = A(h.Stranger), ImportLimitW = 5_000, ExportLimitW = 5_000, Nonce = 1 };
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(register, h.Operator)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(register, h.Utility)).Code);
        var again = register.Clone(); again.Nonce = 2;
        Assert.Equal(ReasonCodes.AlreadyExists, h.One(LedgerHarness.Envelope(again, h.Utility)).Code);
        var badId = register.Clone(); badId.Meter = "bad id!"; badId.Nonce = 3;
        Assert.Contains("not a valid meter id", h.One(LedgerHarness.Envelope(badId, h.Utility)).Message);
        var stranger = register.Clone(); stranger.Meter = "MTR-D"; stranger.Owner = A(h.Stranger); stranger.Nonce = 4;
        Assert.Equal(ReasonCodes.NotAdmitted, h.One(LedgerHarness.Envelope(stranger, h.Utility)).Code);
    }

    [Fact]
    public void Delegate_AggregatorSignsForMember_ContractCommits()
    {
        var h = new LedgerHarness();
        var delegation = new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = true, Nonce = 1 };
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(delegation, h.Aggregator)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(delegation, h.Bob)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Aggregator)).Code);
        var revoke = new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = false, Nonce = 2 };
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(revoke, h.Bob)).Code);
        Assert.Equal(ReasonCodes.BadSignature, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 2), h.Alice, h.Aggregator)).Code);
    }

    [Fact]
    public void Delegate_TheAggregatorMayEndADelegation_ButNeverStartOne_AndAStrangerNeither()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = true, Nonce = 1 }, h.Bob)).Code);
        var stranger = h.One(LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = false, Nonce = 2 }, h.Stranger));
        Assert.Equal(ReasonCodes.Unauthorized, stranger.Code);
        Assert.Contains("the aggregator", stranger.Message);
        var ended = new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = false, Nonce = 3 };
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(ended, h.Aggregator)).Code);
        Assert.Empty(h.Account(h.Bob).Aggregators);
        Assert.Empty(h.State.Scan(StateKeys.DelegatorScan(h.Aggregator.Address)));
        // Ending it again finds nothing to end.
        Assert.Equal(ReasonCodes.NotFound, h.One(LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = false, Nonce = 4 }, h.Aggregator)).Code);
    }

    [Fact]
    public void Delegate_KeepsTheAggregatorsIndexOfDelegators_AndMetersAreIndexedByOwner()
    {
        var h = new LedgerHarness();
        foreach (var (member, nonce) in new[] { (h.Alice, 1UL), (h.Bob, 2UL) })
            Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(member), Aggregator = A(h.Aggregator), Active = true, Nonce = nonce }, member)).Code);
        Assert.Equal(new[] { h.Alice.Address, h.Bob.Address }.Select(a => StateKeys.Delegator(h.Aggregator.Address, a)).Order(StringComparer.Ordinal),
            h.State.Scan(StateKeys.DelegatorScan(h.Aggregator.Address)).Select(kv => kv.Key));
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(h.Alice), Aggregator = A(h.Aggregator), Active = false, Nonce = 3 }, h.Alice)).Code);
        Assert.Equal([StateKeys.Delegator(h.Aggregator.Address, h.Bob.Address)], h.State.Scan(StateKeys.DelegatorScan(h.Aggregator.Address)).Select(kv => kv.Key));

        // Genesis meters are in the owner index, and so is every meter registered later.
        Assert.Equal([StateKeys.MeterByOwner(h.Alice.Address, "MTR-A")], h.State.Scan(StateKeys.MeterByOwnerScan(h.Alice.Address)).Select(kv => kv.Key));
        var register = new RegisterMeter { Meter = "MTR-A2", Owner = A(h.Alice), GridNode = "SP1", Device = A(h.AliceDevice), ImportLimitW = 1_000, ExportLimitW = 1_000, Nonce = 9 };
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(register, h.Utility)).Code);
        Assert.Equal(["MTR-A", "MTR-A2"], h.State.Scan(StateKeys.MeterByOwnerScan(h.Alice.Address)).Select(kv => kv.Key[StateKeys.MeterByOwnerScan(h.Alice.Address).Length..]));
    }

    [Fact]
    public void Delegate_ToNonAggregator_IsNotAdmitted()
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Alice), Active = true, Nonce = 1 }, h.Bob));
        Assert.Equal(ReasonCodes.NotAdmitted, result.Code);
    }

    private static Offer SellOffer(LedgerHarness h, ulong wh = 3_000) => new()
    {
        Maker = A(h.Alice), Meter = "MTR-A", Sell = true, IntervalStart = h.IntervalAhead(3), IntervalCount = 1,
        WhPerInterval = wh, PricePerKwh = 150_000, Nonce = 1, ValidUntil = h.NowSeconds + 3600,
    };

    [Fact]
    public void Offer_TakenInParts_CreatesContractsUntilExhausted()
    {
        var h = new LedgerHarness();
        var offer = SellOffer(h);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(offer, h.Alice)).Code);
        var offerId = ByteString.CopyFrom(LedgerTypedData.Digest(offer, LedgerHarness.ChainId).Bytes);
        Take TakeOf(ulong wh, ulong nonce) => new() { OfferId = offerId, Taker = A(h.Bob), Meter = "MTR-B", WhPerInterval = wh, Nonce = nonce, ValidUntil = h.NowSeconds + 600 };
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(TakeOf(2_000, 1), h.Bob)).Code);
        var tooMuch = h.One(LedgerHarness.Envelope(TakeOf(1_001, 2), h.Bob));
        Assert.Equal(ReasonCodes.OfferExceeded, tooMuch.Code);
        Assert.Contains("1000 Wh left", tooMuch.Message);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(TakeOf(1_000, 3), h.Bob)).Code);
        Assert.Equal(2, h.State.Scan(StateKeys.ContractPrefix).Count());
        Assert.Equal(ReasonCodes.OfferExceeded, h.One(LedgerHarness.Envelope(TakeOf(1, 4), h.Bob)).Code);
    }

    [Fact]
    public void CancelOffer_ByMaker_ClosesIt_ByOtherIsUnauthorized()
    {
        var h = new LedgerHarness();
        var offer = SellOffer(h);
        h.One(LedgerHarness.Envelope(offer, h.Alice));
        var offerId = ByteString.CopyFrom(LedgerTypedData.Digest(offer, LedgerHarness.ChainId).Bytes);
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(new CancelOffer { OfferId = offerId, Maker = A(h.Bob), Nonce = 1 }, h.Bob)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new CancelOffer { OfferId = offerId, Maker = A(h.Alice), Nonce = 1 }, h.Alice)).Code);
        var take = new Take { OfferId = offerId, Taker = A(h.Bob), Meter = "MTR-B", WhPerInterval = 1, Nonce = 1, ValidUntil = h.NowSeconds + 600 };
        Assert.Equal(ReasonCodes.OfferClosed, h.One(LedgerHarness.Envelope(take, h.Bob)).Code);
        var unknown = take.Clone(); unknown.OfferId = ByteString.CopyFrom(new byte[32]); unknown.Nonce = 2;
        Assert.Equal(ReasonCodes.NotFound, h.One(LedgerHarness.Envelope(unknown, h.Bob)).Code);
    }

    [Fact]
    public void MeterReading_ByDeviceKey_OncePerIntervalWithinWindow()
    {
        var h = new LedgerHarness();
        var interval = h.IntervalAhead(0);
        var reading = new MeterReading { Meter = "MTR-A", IntervalStart = interval, ImportWh = 10, ExportWh = 1_900 };
        Assert.Equal(ReasonCodes.IntervalNotEnded, h.One(LedgerHarness.Envelope(reading, h.AliceDevice)).Code);
        var advance = (int)(interval + LedgerHarness.Interval - h.NowSeconds);
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(reading, h.Alice), advance).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(reading, h.AliceDevice)).Code);
        Assert.Equal(ReasonCodes.DuplicateReading, h.One(LedgerHarness.Envelope(reading, h.AliceDevice)).Code);
        var late = new MeterReading { Meter = "MTR-B", IntervalStart = interval, ExportWh = 1 };
        Assert.Equal(ReasonCodes.ReadingWindowClosed, h.One(LedgerHarness.Envelope(late, h.BobDevice), 3600).Code);
        Assert.Equal(ReasonCodes.UnknownMeter, h.One(LedgerHarness.Envelope(new MeterReading { Meter = "MTR-Z", IntervalStart = interval }, h.BobDevice)).Code);
    }

    [Fact]
    public void SetFees_EachPartByItsAuthority_FromAFutureInterval()
    {
        var h = new LedgerHarness();
        var future = h.IntervalAhead(4);
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(new SetDmoFees { EffectiveFrom = future, PerKwh = 1, Nonce = 1 }, h.Utility)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new SetDmoFees { EffectiveFrom = future, PerKwh = 1, Nonce = 1 }, h.Operator)).Code);
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(new SetGridFees { EffectiveFrom = future, Nonce = 1 }, h.Operator)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new SetGridFees { EffectiveFrom = future, Nonce = 1 }, h.Utility)).Code);
        var tariff = new SetPolrTariff { EffectiveFrom = future, StandbyPerDay = 5, Nonce = 1 };
        tariff.Prices.Add(new PolrPrice { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 50_000 });
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(tariff, h.Utility)).Code);
        Assert.Equal(ReasonCodes.NotInFuture, h.One(LedgerHarness.Envelope(new SetDmoFees { EffectiveFrom = h.IntervalAhead(0), Nonce = 2 }, h.Operator)).Code);
        var badBands = new SetPolrTariff { EffectiveFrom = future, Nonce = 2 };
        badBands.Prices.Add(new PolrPrice { FromMinute = 60 });
        Assert.Equal(ReasonCodes.InvalidArgument, h.One(LedgerHarness.Envelope(badBands, h.Utility)).Code);
    }

    [Fact]
    public void FeeChange_AppliesToContractsWhoseFirstIntervalIsAtOrAfterIt()
    {
        var h = new LedgerHarness();
        var change = h.IntervalAhead(4);
        h.One(LedgerHarness.Envelope(new SetGridFees { EffectiveFrom = change, AcrossSubstationsPerKwh = 0, Nonce = 1 }, h.Utility));
        var before = h.Contract(h.Alice, h.Bob, start: change - LedgerHarness.Interval, count: 1);
        var at = h.Contract(h.Alice, h.Bob, start: change, count: 1, nonce: 2);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(before, h.Alice, h.Bob)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(at, h.Alice, h.Bob)).Code);
        ContractState Stored(EnergyContract c) => ContractState.Parser.ParseFrom(h.State.Get(StateKeys.Contract(LedgerTypedData.Digest(c, LedgerHarness.ChainId)))!);
        Assert.Equal(20_000UL, Stored(before).GridFee); // 2 kWh × 10,000 (genesis rate)
        Assert.Equal(0UL, Stored(at).GridFee);
    }

    [Fact]
    public void SetBaseline_ByPlanner_StoresEveryIntervalAndElement()
    {
        var h = new LedgerHarness();
        var baseline = new SetBaseline { IntervalStart = h.IntervalAhead(2), IntervalCount = 3, Nonce = 1 };
        baseline.Entries.Add(new BaselineEntry { Element = "F1", ActiveW = 120_000 });
        baseline.Entries.Add(new BaselineEntry { Element = "T3", ActiveW = -4_000 });
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(baseline, h.Utility)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(baseline, h.Planner)).Code);
        Assert.Equal(6, h.State.Scan(StateKeys.BaselinePrefix).Count());
        var dup = baseline.Clone(); dup.Nonce = 2; dup.Entries.Add(new BaselineEntry { Element = "F1" });
        Assert.Contains("appears twice", h.One(LedgerHarness.Envelope(dup, h.Planner)).Message);
    }

    [Fact]
    public void UpdateGridModel_AttachmentMustMatchSignedHash()
    {
        var h = new LedgerHarness();
        // The smallest model that holds the harness's meters (on SP1 and SP2); grid tests cover the model itself.
        var model = """
            {"nodes":[{"id":"S","kind":"Substation","nominalVoltageV":400},
            {"id":"SP1","kind":"ServicePoint","parent":"S","ratingW":100000,"rMilliohm":10,"nominalVoltageV":400},
            {"id":"SP2","kind":"ServicePoint","parent":"S","ratingW":100000,"rMilliohm":10,"nominalVoltageV":400}]}
            """u8.ToArray();
        var update = new UpdateGridModel { ModelHash = ByteString.CopyFrom(Keccak256.Hash(model).Bytes), EffectiveFrom = h.IntervalAhead(4), Nonce = 1 };
        var tx = LedgerHarness.Envelope(update, h.Utility);
        tx.Attachment = ByteString.CopyFrom(model);
        Assert.Equal(ReasonCodes.Ok, h.One(tx).Code);
        var other = LedgerHarness.Envelope(new UpdateGridModel { ModelHash = update.ModelHash, EffectiveFrom = h.IntervalAhead(5), Nonce = 2 }, h.Utility);
        other.Attachment = ByteString.CopyFrom("{}"u8.ToArray());
        Assert.Contains("attachment hashes to", h.One(other).Message);
        var stray = LedgerHarness.Envelope(new Admit { Account = A(h.Carol), Role = "Consumer", Nonce = 9 }, h.Operator);
        stray.Attachment = ByteString.CopyFrom(model);
        Assert.Equal(ReasonCodes.Malformed, h.One(stray).Code);
    }
}
