using P2PEnergy.Contracts.Ledger;
using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// A flow or voltage beyond what the flow book's 64-bit integers hold is a refusal naming the element, the interval and
/// the range (DESIGN.md rule 6) — THERMAL_LIMIT for a branch's power, VOLTAGE_LIMIT for a branch's v² drop beyond the
/// model's per-branch bound, INVALID_ARGUMENT for a meter's sums — never an OverflowException that execution reported as
/// "an amount overflows the ledger's 64-bit micro-unit range". SmallFeeder has depth 3, so its per-branch bound is
/// long.MaxValue ÷ 16 = 576,460.752303 p.u.², and a 10 kV branch of r mΩ rises v² by 20·r·P (p.u.² × 10^12).
/// </summary>
public sealed class FlowBookRangeTests
{
    private const string Range = "±576,460.752303 p.u.² per branch of this model in 2026-11-22T17:00:00Z";
    private const string Max64 = "9,223,372,036,854,775.807";

    /// <summary>SmallFeeder's shape with impedance-free branches: flows can reach 2^63 W without moving any voltage.</summary>
    private static GridModel Lossless() => GridModel.Load(new GridModelFile
    {
        Nodes =
        [
            new() { Id = "S", Kind = NodeKind.Substation, NominalVoltageV = 10_000 },
            new() { Id = "F1", Kind = NodeKind.Feeder, Parent = "S", RatingW = 1_000_000, NominalVoltageV = 10_000 },
            new() { Id = "SP1", Kind = NodeKind.ServicePoint, Parent = "F1", RatingW = 50_000, NominalVoltageV = 10_000 },
            new() { Id = "SP2", Kind = NodeKind.ServicePoint, Parent = "F1", RatingVa = 50_000, NominalVoltageV = 10_000 },
        ],
    }.ToJsonBytes());

    [Fact]
    public void MaxBranchRise_SharesLongMaxValueOverTheModelsDepth()
    {
        var model = SmallFeeder.Model();
        Assert.Equal(3, model.MaxDepth);
        Assert.Equal(long.MaxValue / 16, model.MaxBranchRise);
    }

    /// <summary>
    /// Branches of the largest impedance (1 MΩ at 10 kV: v² rises 2·10^10 per W) and ratings no flow here reaches, so only
    /// the voltage arithmetic is at stake. Depth 2: the bound is long.MaxValue ÷ 12 = 768,614.336404 p.u.².
    /// </summary>
    private static GridModel Stiff() => GridModel.Load(new GridModelFile
    {
        Nodes =
        [
            new() { Id = "S", Kind = NodeKind.Substation, NominalVoltageV = 10_000 },
            new() { Id = "F1", Kind = NodeKind.Feeder, Parent = "S", RatingW = long.MaxValue, RMilliohm = GridModel.MaxImpedanceMilliohm, NominalVoltageV = 10_000 },
            new() { Id = "SP1", Kind = NodeKind.ServicePoint, Parent = "F1", RatingW = long.MaxValue, RMilliohm = GridModel.MaxImpedanceMilliohm, NominalVoltageV = 10_000 },
            new() { Id = "SP2", Kind = NodeKind.ServicePoint, Parent = "F1", RatingW = long.MaxValue, RMilliohm = GridModel.MaxImpedanceMilliohm, NominalVoltageV = 10_000 },
        ],
    }.ToJsonBytes());

    [Fact]
    public void Check_WhoseVoltageSumsWouldLeave64Bits_IsRefusedVoltageLimit_NamingTheBranch_AndTheBookStaysUsable()
    {
        // A 35 MW load on F1 (v² rise −7·10^17, within the bound); 450 MW sold at SP2 to SP1 rises SP2's v² by 9·10^18
        // and drops SP1's by as much, each within 64 bits — but SP1's v², about −9.7·10^18, is not: the voltage tree
        // overflowed. Now the first branch beyond the bound refuses the contract before the tree is touched.
        var model = Stiff();
        var book = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("F1"), -35_000_000, 0)], []);
        var seller = SmallFeeder.Meter(model, "M2", "SP2", limitW: ulong.MaxValue);
        var buyer = SmallFeeder.Meter(model, "M1", "SP1", limitW: ulong.MaxValue);
        var refusal = book.Check(seller, buyer, 450_000_000);
        Assert.NotNull(refusal);
        Assert.Equal(ReasonCodes.VoltageLimit, refusal.Code);
        Assert.Equal("feeder F1 service point SP2: voltage rise across the branch of 9,000,000.000000 p.u.² in v² exceeds the fixed-point range of ±768,614.336404 p.u.² per branch of this model in 2026-11-22T17:00:00Z", refusal.Message);
        Assert.True(book.Consistent);
        // The book is as it was: it answers what a fresh book answers.
        var fresh = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("F1"), -35_000_000, 0)], []);
        Assert.Equal(fresh.Check(seller, buyer, 1_000), book.Check(seller, buyer, 1_000));
        Assert.Equal((fresh.MinVoltageSquared, fresh.MaxVoltageSquared), (book.MinVoltageSquared, book.MaxVoltageSquared));
    }

    [Fact]
    public void Check_OverItsRating_IsRefusedThermalLimit_BeforeItsVoltageRange()
    {
        // SP3 (150 kW) carries 150 GW: the overload is the refusal, as it always was, not the rise the flow brings.
        var model = SmallFeeder.Model();
        var book = SmallFeeder.Book(model);
        var refusal = book.Check(SmallFeeder.Meter(model, "M3", "SP3", limitW: ulong.MaxValue), SmallFeeder.Meter(model, "M1", "SP1", limitW: ulong.MaxValue), 150_000_000_000_000);
        Assert.Equal(new GridViolation(ReasonCodes.ThermalLimit, "feeder F1 service point SP3: 150,000,000,000 kW > 150 kW in 2026-11-22T17:00:00Z"), refusal);
    }

    [Fact]
    public void Book_WhoseBaselineRiseLeaves64Bits_RefusesVoltageLimit_NamingTheBranch()
    {
        // 1 TW of load on SP1: 20 × 2,000 mΩ × 10^15 W = 4·10^19, beyond 64 bits before any contract (LinDistFlow threw).
        var model = SmallFeeder.Model();
        var e = Assert.Throws<GridRangeException>(() => SmallFeeder.Book(model, ("SP1", -1_000_000_000_000_000, 0)));
        Assert.Equal(ReasonCodes.VoltageLimit, e.Violation.Code);
        Assert.Equal($"feeder F1 service point SP1: voltage drop across the branch of 40,000,000.000000 p.u.² in v² exceeds the fixed-point range of {Range}", e.Violation.Message);
    }

    [Fact]
    public void Check_WhoseBranchPowerLeaves64Bits_IsRefusedThermalLimit_NamingBranchValueAndRange()
    {
        var model = Lossless();
        var book = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("SP1"), long.MaxValue, 0)], []);
        var seller = SmallFeeder.Meter(model, "M1", "SP1", limitW: ulong.MaxValue);
        var buyer = SmallFeeder.Meter(model, "M2", "SP2", limitW: ulong.MaxValue);
        var refusal = book.Check(seller, buyer, 1);
        Assert.NotNull(refusal);
        Assert.Equal(ReasonCodes.ThermalLimit, refusal.Code);
        Assert.Equal($"feeder F1 service point SP1: active power of 9,223,372,036,854,775.808 kW exceeds the ledger's range of ±{Max64} kW in 2026-11-22T17:00:00Z", refusal.Message);
        Assert.True(book.Consistent);
    }

    [Fact]
    public void Flows_Of2To63Watts_AreReportedOverTheirRating_NotAnOverflow()
    {
        // |long.MinValue| has no 64-bit form (Math.Abs threw), and P² + Q² of two such is 2^127 (Int128 overflowed).
        var model = Lossless();
        var book = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("SP1"), long.MinValue, 0), (model.IndexOf("SP2"), long.MinValue, long.MinValue)], []);
        var violations = book.Violations().ToList();
        Assert.Contains($"feeder F1 service point SP1: 9,223,372,036,854,775.808 kW > 50 kW in 2026-11-22T17:00:00Z", violations);
        Assert.Contains($"feeder F1 service point SP2: 13,043,817,825,332,782.212 kVA > 50 kVA in 2026-11-22T17:00:00Z", violations);
    }

    [Fact]
    public void Check_WhoseMeterNetLeaves64Bits_IsRefusedInvalidArgument_NamingTheMeter()
    {
        // A registered limit may exceed 2^63 W; the ledger's net position of a meter may not.
        var model = Lossless();
        var seller = SmallFeeder.Meter(model, "M1", "SP1", limitW: ulong.MaxValue);
        var buyer = SmallFeeder.Meter(model, "M2", "SP2", limitW: ulong.MaxValue);
        var book = new FlowBook(model, SmallFeeder.Interval, [], [(seller, long.MaxValue), (buyer, long.MinValue + 1)]);
        var refusal = book.Check(seller, buyer, 1);
        Assert.NotNull(refusal);
        Assert.Equal(ReasonCodes.InvalidArgument, refusal.Code);
        Assert.Equal($"meter M1: net contracted export of 9,223,372,036,854,775.808 kW exceeds the ledger's range of ±{Max64} kW in 2026-11-22T17:00:00Z", refusal.Message);
    }

    [Fact]
    public void Check_WhoseMeterReactivePowerLeaves64Bits_IsRefusedInvalidArgument_NamingTheMeter()
    {
        // At power factor 0.001 a meter's reactive power is ~1,000 times its active power: 10^16 W is ~10^19 var
        // (tan φ × 10^6 = ⌊√(10^6 − 1) × 10^6⌋ = 999,999,499).
        var model = Lossless();
        var seller = SmallFeeder.Meter(model, "M1", "SP1", powerFactorMilli: 1, limitW: ulong.MaxValue);
        var buyer = SmallFeeder.Meter(model, "M2", "SP2", limitW: ulong.MaxValue);
        var refusal = new FlowBook(model, SmallFeeder.Interval, [], []).Check(seller, buyer, 10_000_000_000_000_000);
        Assert.NotNull(refusal);
        Assert.Equal(ReasonCodes.InvalidArgument, refusal.Code);
        Assert.StartsWith("meter M1: reactive power of 9,999,994,990,000,000 kvar exceeds the ledger's range of ±", refusal.Message);
    }

    [Fact]
    public void Book_WhoseMetersReactivePowerSumsBeyond64BitsOnOneBranch_RefusesThermalLimit_NotAWrappedSum()
    {
        // Two meters at power factor 0.001 on SP1, each 5·10^15 W: ~5·10^18 var each fits 64 bits, their sum does not
        // (it wrapped to a negative reactive power the thermal check then judged).
        var model = Lossless();
        var first = SmallFeeder.Meter(model, "M1", "SP1", powerFactorMilli: 1, limitW: ulong.MaxValue);
        var second = SmallFeeder.Meter(model, "M2", "SP1", powerFactorMilli: 1, limitW: ulong.MaxValue);
        var e = Assert.Throws<GridRangeException>(() => new FlowBook(model, SmallFeeder.Interval, [], [(first, 5_000_000_000_000_000), (second, 5_000_000_000_000_000)]));
        Assert.Equal(ReasonCodes.ThermalLimit, e.Violation.Code);
        Assert.Equal($"feeder F1 service point SP1: reactive power of 9,999,994,990,000,000 kvar exceeds the ledger's range of ±{Max64} kvar in 2026-11-22T17:00:00Z", e.Violation.Message);
    }

    [Fact]
    public void HostingCapacity_NearTheRangeEdge_EndsAtARefusal_NotAnException()
    {
        var model = Lossless();
        var book = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("SP1"), long.MaxValue - 10, 0)], []);
        var meter = SmallFeeder.Meter(model, "M1", "SP1", limitW: ulong.MaxValue);
        var (watts, limitedBy) = HostingCapacitySearch.Export(book, meter);
        Assert.Equal(0, watts); // SP1 is already far over its 50 kW rating
        Assert.Equal(ReasonCodes.ThermalLimit, limitedBy!.Code);
    }

    /// <summary>
    /// In a block: the planner's baseline (a 1 TW load, which no check bounds) leaves the interval's book beyond 64 bits,
    /// and a contract for that interval is refused VOLTAGE_LIMIT naming the branch — it was INVALID_ARGUMENT "an amount
    /// overflows the ledger's 64-bit micro-unit range" — on a warm node and on a cold replay alike.
    /// </summary>
    [Fact]
    public void ContractOnAnIntervalWhoseBaselineLeavesTheRange_IsRefusedVoltageLimit_NamingBranchAndInterval()
    {
        var h = SmallFeeder.Chain();
        ulong start = h.IntervalAhead(2);
        var baseline = new SetBaseline { IntervalStart = start, IntervalCount = 1, Nonce = 1 };
        baseline.Entries.Add(new BaselineEntry { Element = "SP1", ActiveW = -1_000_000_000_000_000 });
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(baseline, h.Planner)).Code);
        var refused = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: start, count: 1), h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.VoltageLimit, refused.Code);
        Assert.Equal($"feeder F1 service point SP1: voltage drop across the branch of 40,000,000.000000 p.u.² in v² exceeds the fixed-point range of ±576,460.752303 p.u.² per branch of this model in {Contracts.Energy.IsoTime.Format(start)}", refused.Message);
        // The next interval is untouched by the baseline: contracts there commit.
        var other = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: start + LedgerHarness.Interval, count: 1, nonce: 2), h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.Ok, other.Code);
        Assert.Null(ColdReplay.FirstDifference(h, SmallFeeder.Chain()));
    }
}
