using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Execution.Handlers;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// Issue 12 item 7, at execution (the door runs the same rules, MempoolTests): every field of a contract and a meter
/// reading at its extremes gets its own reason and a message about what it is — never the generic overflow of
/// money for a time, never a commit of a physically impossible reading — and no start lies beyond the horizon.
/// </summary>
public sealed class HostileInputTests
{
    private const ulong Year9999 = 253_402_214_400; // 9999-12-31T00:00:00Z, aligned to 900 s

    private static void AssertRefused(TransactionResult result, string code, string messagePart)
    {
        Assert.True(result.Code == code, $"expected {code}, got {result.Code}: {result.Message}");
        Assert.Contains(messagePart, result.Message);
        Assert.DoesNotContain("micro-unit range", result.Message);
    }

    public static TheoryData<string, string, string> ContractExtremes => new()
    {
        { "intervalStart=0", ReasonCodes.GateClosed, "gate closure" },
        { "intervalStart=max", ReasonCodes.InvalidArgument, "not aligned" },
        { "intervalStart=aligned max", ReasonCodes.StartTooFar, "maxStartAheadSeconds = 34560000 s (400 days)" },
        { "intervalStart=year 9999", ReasonCodes.StartTooFar, "9999-12-31T00:00:00Z" },
        { "intervalStart=milliseconds", ReasonCodes.StartTooFar, "after year 9999" },
        { "intervalCount=0", ReasonCodes.InvalidArgument, "intervalCount must lie in [1, 2976], got 0" },
        { "intervalCount=max", ReasonCodes.InvalidArgument, "got 4294967295" },
        { "whPerInterval=0", ReasonCodes.InvalidArgument, "whPerInterval must be > 0" },
        { "whPerInterval=max", ReasonCodes.InvalidArgument, "costs more than the largest amount the ledger holds" },
        { "pricePerKwh=max", ReasonCodes.InsufficientFunds, "needs" },
        { "validUntil=0", ReasonCodes.Expired, "expired at 1970-01-01T00:00:00Z" },
        { "sellerMeter=65 bytes", ReasonCodes.TooLarge, "EnergyContract.sellerMeter is 65 bytes, the limit is 64" },
        { "buyerMeter=empty", ReasonCodes.UnknownMeter, "buyer meter '' is not registered" },
        { "seller=19 bytes", ReasonCodes.Malformed, "seller: must be 20 bytes, got 19" },
    };

    [Theory]
    [MemberData(nameof(ContractExtremes))]
    public void ContractField_AtAnExtreme_IsRefusedWithItsOwnReason(string change, string code, string messagePart)
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob);
        switch (change)
        {
            case "intervalStart=0": terms.IntervalStart = 0; break;
            case "intervalStart=max": terms.IntervalStart = ulong.MaxValue; break;
            case "intervalStart=aligned max": terms.IntervalStart = ulong.MaxValue / LedgerHarness.Interval * LedgerHarness.Interval; break;
            case "intervalStart=year 9999": terms.IntervalStart = Year9999; break;
            case "intervalStart=milliseconds": terms.IntervalStart *= 1000; break;
            case "intervalCount=0": terms.IntervalCount = 0; break;
            case "intervalCount=max": terms.IntervalCount = uint.MaxValue; break;
            case "whPerInterval=0": terms.WhPerInterval = 0; break;
            case "whPerInterval=max": terms.WhPerInterval = ulong.MaxValue; terms.PricePerKwh = ulong.MaxValue; break;
            case "pricePerKwh=max": terms.PricePerKwh = ulong.MaxValue / terms.WhPerInterval; break;
            case "validUntil=0": terms.ValidUntil = 0; break;
            case "sellerMeter=65 bytes": terms.SellerMeter = new string('M', 65); break;
            case "buyerMeter=empty": terms.BuyerMeter = ""; break;
            case "seller=19 bytes": break; // below: a 19-byte address cannot be signed, so it replaces a signed one
            default: throw new ArgumentException(change);
        }
        var tx = LedgerHarness.Envelope(terms, h.Alice, h.Bob);
        if (change == "seller=19 bytes") tx.EnergyContract.Seller = ByteString.CopyFrom(new byte[19]);
        AssertRefused(h.One(tx), code, messagePart);
        // The chain goes on: a good contract still commits.
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 2), h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void ContractField_AtTheOtherExtremes_Commits()
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob, nonce: ulong.MaxValue);
        terms.ValidUntil = ulong.MaxValue;
        terms.PricePerKwh = 0;
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(terms, h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void Start_AtTheHorizon_Commits_AndOneIntervalBeyond_IsStartTooFar()
    {
        var h = new LedgerHarness(configure: g => g.MaxStartAheadSeconds = 10 * LedgerHarness.Interval);
        ulong blockTime = h.NowSeconds + 1; // h.One advances the clock one second
        ulong lastStart = (blockTime + 10 * LedgerHarness.Interval) / LedgerHarness.Interval * LedgerHarness.Interval;
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: lastStart, nonce: 1), h.Alice, h.Bob)).Code);
        var beyond = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: lastStart + LedgerHarness.Interval, nonce: 2), h.Alice, h.Bob));
        AssertRefused(beyond, ReasonCodes.StartTooFar, "maxStartAheadSeconds = 9000 s");
        var offer = new Offer { Maker = ByteString.CopyFrom(h.Alice.Address.Bytes), Meter = "MTR-A", Sell = true, IntervalStart = Year9999, IntervalCount = 1, WhPerInterval = 1, PricePerKwh = 1, Nonce = 1, ValidUntil = h.NowSeconds + 60 };
        AssertRefused(h.One(LedgerHarness.Envelope(offer, h.Alice)), ReasonCodes.StartTooFar, "offer intervalStart 9999-12-31T00:00:00Z");
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(399UL)]
    [InlineData(3_651UL * 86_400)]
    public void Genesis_HorizonOutsideItsRange_IsRefusedNamingTheField(ulong seconds)
    {
        var genesis = new LedgerHarness().Document;
        genesis.MaxStartAheadSeconds = seconds;
        Assert.Contains("maxStartAheadSeconds must lie in [gateClosureSeconds + intervalSeconds = 1200, 315360000]",
            Assert.Throws<GenesisException>(() => genesis.ToParameters()).Message);
    }

    public static TheoryData<string, string, string> ReadingExtremes => new()
    {
        { "importWh=max", ReasonCodes.ReadingOutOfRange, "importWh 18446744073709551615 Wh exceeds the 2500 Wh" },
        { "exportWh=max", ReasonCodes.ReadingOutOfRange, "exportWh 18446744073709551615 Wh exceeds the 2500 Wh" },
        { "exportWh=limit+1", ReasonCodes.ReadingOutOfRange, "exportWh 2501 Wh exceeds the 2500 Wh its registered export limit of 10000 W allows in a 900 s interval" },
        { "intervalStart=0", ReasonCodes.ReadingWindowClosed, "reading window" },
        { "intervalStart=max", ReasonCodes.InvalidArgument, "not aligned" },
        { "intervalStart=aligned max", ReasonCodes.IntervalNotEnded, "after year 9999" },
        { "meter=65 bytes", ReasonCodes.TooLarge, "MeterReading.meter is 65 bytes, the limit is 64" },
        { "meter=unknown", ReasonCodes.UnknownMeter, "meter 'MTR-Z' is not registered" },
    };

    [Theory]
    [MemberData(nameof(ReadingExtremes))]
    public void ReadingField_AtAnExtreme_IsRefusedWithItsOwnReason(string change, string code, string messagePart)
    {
        var h = new LedgerHarness();
        h.Block(2 * (int)LedgerHarness.Interval);
        var reading = new MeterReading { Meter = "MTR-A", IntervalStart = h.IntervalAhead(-1), ImportWh = 2_500, ExportWh = 2_500 };
        switch (change)
        {
            case "importWh=max": reading.ImportWh = ulong.MaxValue; break;
            case "exportWh=max": reading.ExportWh = ulong.MaxValue; break;
            case "exportWh=limit+1": reading.ExportWh = 2_501; break;
            case "intervalStart=0": reading.IntervalStart = 0; break;
            case "intervalStart=max": reading.IntervalStart = ulong.MaxValue; break;
            case "intervalStart=aligned max": reading.IntervalStart = ulong.MaxValue / LedgerHarness.Interval * LedgerHarness.Interval; break;
            case "meter=65 bytes": reading.Meter = new string('M', 65); break;
            case "meter=unknown": reading.Meter = "MTR-Z"; break;
            default: throw new ArgumentException(change);
        }
        AssertRefused(h.One(LedgerHarness.Envelope(reading, h.AliceDevice)), code, messagePart);
        // At its limits exactly, the reading commits.
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new MeterReading { Meter = "MTR-A", IntervalStart = h.IntervalAhead(-1), ImportWh = 2_500, ExportWh = 2_500 }, h.AliceDevice)).Code);
    }

    [Fact]
    public void BaselineRunningPastTheLastUnixSecond_IsATimeOutOfRange_NotAnAmount()
    {
        var h = new LedgerHarness();
        var baseline = new SetBaseline { IntervalStart = ulong.MaxValue / LedgerHarness.Interval * LedgerHarness.Interval, IntervalCount = 2, Nonce = 1, Entries = { new BaselineEntry { Element = "F1", ActiveW = 1 } } };
        AssertRefused(h.One(LedgerHarness.Envelope(baseline, h.Planner)), ReasonCodes.InvalidArgument, "a time out of range");
    }

    [Fact]
    public void OperatorsDepositWithA250KbReference_IsTooLargeInExecution()
    {
        // Execution re-verifies what it did not see at the door (a block from another proposer, a replay).
        var h = new LedgerHarness();
        var deposit = new Deposit { Account = ByteString.CopyFrom(h.Alice.Address.Bytes), Amount = 1, Reference = new string('x', 250_000), Nonce = 1 };
        AssertRefused(h.One(LedgerHarness.Envelope(deposit, h.Operator)), ReasonCodes.TooLarge, "Deposit.reference is 250000 bytes, the limit is 256");
    }

    [Fact]
    public void MaxWhPerInterval_IsTheLimitTimesTheInterval_InWhRoundedUp()
    {
        Assert.Equal(2_500UL, Metering.MaxWhPerInterval(10_000, 900));
        Assert.Equal(167UL, Metering.MaxWhPerInterval(10_000, 60)); // 166.67 rounded up
        Assert.Equal(0UL, Metering.MaxWhPerInterval(0, 900));
        Assert.Equal(ulong.MaxValue, Metering.MaxWhPerInterval(ulong.MaxValue, 86_400));
    }

    [Fact]
    public void Deposit_BeyondTheLargestBalance_IsRefusedNamingTheBalanceAndTheLimit()
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(h.Alice.Address.Bytes), Amount = ulong.MaxValue, Nonce = 1 }, h.Operator));
        AssertRefused(result, ReasonCodes.InvalidArgument, $"{h.Alice.Address} holds 10000000 micro-units; {ulong.MaxValue} more exceeds the largest amount the ledger holds ({ulong.MaxValue})");
    }

    /// <summary>
    /// Balance and escrow are separate 64-bit amounts, and deposits refill a balance whose funds sit in escrow: a second
    /// contract of 2^63 micro-units would carry the buyer's escrow past 2^64.
    /// </summary>
    [Fact]
    public void Escrow_BeyondTheLargestAmount_IsRefusedNamingTheEscrowAndTheLimit()
    {
        var h = new LedgerHarness();
        Transaction Deposit(ulong amount, ulong nonce) => LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(h.Bob.Address.Bytes), Amount = amount, Nonce = nonce }, h.Operator);
        Transaction Contract(ulong nonce) => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 1_000, price: 1UL << 63, count: 1, nonce: nonce), h.Alice, h.Bob);
        Assert.Equal(ReasonCodes.Ok, h.One(Deposit(ulong.MaxValue - 10_000_000, 1)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(Contract(1)).Code); // escrow 2^63 + 11,500 (payment, buyer DMO share, grid fee)
        Assert.Equal(ReasonCodes.Ok, h.One(Deposit(1UL << 63, 2)).Code);
        const ulong escrow = (1UL << 63) + 11_500;
        AssertRefused(h.One(Contract(2)), ReasonCodes.InvalidArgument,
            $"buyer {h.Bob.Address} holds {escrow} micro-units in escrow; {escrow} more exceeds the largest amount the ledger holds ({ulong.MaxValue})");
    }
}
