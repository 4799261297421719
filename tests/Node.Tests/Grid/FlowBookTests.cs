using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// The flow book on <see cref="SmallFeeder"/>, every number computed by hand: each branch's v² rise is
/// 20 × (r·P + x·Q) in p.u.² × 10^12, so 40 kW through 1,000 mΩ raises v² by 8 × 10^8 (0.0008 p.u.²).
/// </summary>
public class FlowBookTests
{
    private const long One = GridModel.VoltageSquaredScale;

    private static long Flow(FlowBook book, string node) => book.FlowW(book.Model!.IndexOf(node));
    private static long Var(FlowBook book, string node) => book.FlowVar(book.Model!.IndexOf(node));
    private static long V2(FlowBook book, string node) => book.VoltageSquared(book.Model!.IndexOf(node));

    [Fact]
    public void Contract_AcrossTransformers_FlowsUpToCommonAncestorAndDown()
    {
        var model = SmallFeeder.Model();
        var book = SmallFeeder.Book(model);
        book.Apply(SmallFeeder.Meter(model, "M1", "SP1"), SmallFeeder.Meter(model, "M3", "SP3"), 40_000);

        Assert.Equal(40_000, Flow(book, "SP1"));
        Assert.Equal(40_000, Flow(book, "T1"));
        Assert.Equal(0, Flow(book, "F1"));     // the common ancestor's own branch carries nothing
        Assert.Equal(-40_000, Flow(book, "T2"));
        Assert.Equal(-40_000, Flow(book, "SP3"));
        Assert.Equal(0, Flow(book, "SP2"));
        // v²: T1 = 1 + 20·1000·40000 = 1 + 8e8; SP1 = T1 + 20·2000·40000 = 1 + 2.4e9; SP3 mirrors it downwards.
        Assert.Equal(One, V2(book, "F1"));
        Assert.Equal(One + 800_000_000, V2(book, "T1"));
        Assert.Equal(One + 2_400_000_000, V2(book, "SP1"));
        Assert.Equal(One + 800_000_000, V2(book, "SP2"));
        Assert.Equal(One - 800_000_000, V2(book, "T2"));
        Assert.Equal(One - 1_600_000_000, V2(book, "SP3"));
        Assert.Equal(40_000, book.MeterNet("M1"));
        Assert.Equal(-40_000, book.MeterNet("M3"));
    }

    [Fact]
    public void OppositeContracts_Net()
    {
        var model = SmallFeeder.Model();
        var book = SmallFeeder.Book(model);
        var m1 = SmallFeeder.Meter(model, "M1", "SP1");
        var m2 = SmallFeeder.Meter(model, "M2", "SP2");
        book.Apply(m1, m2, 40_000);
        book.Apply(m2, m1, 30_000);
        Assert.Equal(10_000, Flow(book, "SP1"));
        Assert.Equal(-10_000, Flow(book, "SP2"));
        Assert.Equal(0, Flow(book, "T1"));
        Assert.Equal(One + 400_000_000, V2(book, "SP1")); // 20 · 2000 · 10000
    }

    [Fact]
    public void Thermal_ExactlyAtRating_Commits_OneWattMore_IsRefusedNamingTheBranch()
    {
        var model = SmallFeeder.Model();
        var book = SmallFeeder.Book(model);
        var m1 = SmallFeeder.Meter(model, "M1", "SP1");
        var m3 = SmallFeeder.Meter(model, "M3", "SP3");
        Assert.Null(book.Check(m1, m3, 50_000));
        book.Apply(m1, m3, 50_000);
        var refused = book.Check(m1, m3, 1);
        Assert.NotNull(refused);
        Assert.Equal(ReasonCodes.ThermalLimit, refused.Code);
        Assert.Equal("feeder F1 service point SP1: 50.001 kW > 50 kW in 2026-11-22T17:00:00Z", refused.Message);
        Assert.Equal(50_000, Flow(book, "SP1")); // a refused check leaves the book as it was
        Assert.Equal(One + 3_000_000_000, V2(book, "SP1"));
    }

    [Fact]
    public void Thermal_Baseline_CountsAgainstTheRating()
    {
        var model = SmallFeeder.Model(sp1Rating: 500_000);
        var book = SmallFeeder.Book(model, ("T1", 150_000, 0));
        var m1 = SmallFeeder.Meter(model, "M1", "SP1");
        var m3 = SmallFeeder.Meter(model, "M3", "SP3");
        Assert.Null(book.Check(m1, m3, 50_000));
        Assert.Equal("feeder F1 transformer T1: 200.001 kW > 200 kW in 2026-11-22T17:00:00Z", book.Check(m1, m3, 50_001)!.Message);
        // Power the other way relieves the baseline: 200 kW down-stream through T1 leaves it at -50 kW.
        Assert.Null(book.Check(m3, m1, 150_000));
    }

    [Fact]
    public void Voltage_ExactlyAtVMax_Commits_OneWattMore_IsRefused()
    {
        // vMax = 1.003 p.u. → v² limit 1.006009 × 10^12. SP1 rises 20·(2000 + 1000)·P = 60,000·P, so P = 100,150 W
        // puts SP1 exactly on the limit.
        var model = SmallFeeder.Model(vMax: 1.003m, sp1Rating: 500_000);
        var m1 = SmallFeeder.Meter(model, "M1", "SP1");
        var m3 = SmallFeeder.Meter(model, "M3", "SP3");
        var book = SmallFeeder.Book(model);
        Assert.Null(book.Check(m1, m3, 100_150));
        book.Apply(m1, m3, 100_150);
        Assert.Equal(1_006_009_000_000, V2(book, "SP1"));
        var refused = book.Check(m1, m3, 1)!;
        Assert.Equal(ReasonCodes.VoltageLimit, refused.Code);
        Assert.Equal("feeder F1 service point SP1: voltage 1.003001 p.u. > 1.003 p.u. in 2026-11-22T17:00:00Z", refused.Message);
        Assert.Equal(1_006_009_000_000, book.MaxVoltageSquared);
    }

    [Fact]
    public void Voltage_ExactlyAtVMin_Commits_OneWattMore_IsRefusedNamingTheLowestNode()
    {
        // A baseline of 9.5 MW flowing down F1 (its own rating is not this contract's business: the contract leaves
        // F1's active power alone) lowers everything below F1 by 20 · 500 · 9.5e6 = 9.5e10, to 0.905 p.u.².
        // SP3 then falls 20 · (1000 + 1000) = 40,000 per W: 0.9025 p.u.² (0.95²) is reached at exactly 62,500 W.
        var model = SmallFeeder.Model(sp1Rating: 500_000);
        var m1 = SmallFeeder.Meter(model, "M1", "SP1");
        var m3 = SmallFeeder.Meter(model, "M3", "SP3");
        var book = SmallFeeder.Book(model, ("F1", -9_500_000, 0));
        Assert.Equal(905_000_000_000, V2(book, "SP3"));
        Assert.Null(book.Check(m1, m3, 62_500));
        var refused = book.Check(m1, m3, 62_501)!;
        Assert.Equal(ReasonCodes.VoltageLimit, refused.Code);
        Assert.Equal("feeder F1 service point SP3: voltage 0.949999 p.u. < 0.95 p.u. in 2026-11-22T17:00:00Z", refused.Message);
        book.Apply(m1, m3, 62_500);
        Assert.Equal(902_500_000_000, book.MinVoltageSquared);
    }

    [Fact]
    public void Reactive_BuyerAtPowerFactor08_DrawsThreeQuartersVar_FromTheSubstation()
    {
        var model = SmallFeeder.Model();
        var book = SmallFeeder.Book(model);
        // tan φ at pf 0.8 = 0.75 exactly: the buyer draws 30 kvar, the unity-pf seller supplies none, so it comes
        // from the substation through F1 (x = 250 mΩ): F1's rise is 20 · 250 · -30,000 = -1.5e8.
        book.Apply(SmallFeeder.Meter(model, "M1", "SP1"), SmallFeeder.Meter(model, "M3", "SP3", powerFactorMilli: 800), 40_000);
        Assert.Equal(750_000, LinDistFlow.TanMicro(800));
        Assert.Equal(0, Var(book, "SP1"));
        Assert.Equal(-30_000, Var(book, "F1"));
        Assert.Equal(-30_000, Var(book, "SP3"));
        Assert.Equal(One - 150_000_000, V2(book, "F1"));
        Assert.Equal(One - 150_000_000 + 2_400_000_000, V2(book, "SP1"));
        Assert.Equal(One - 150_000_000 - 1_600_000_000, V2(book, "SP3"));
    }

    [Fact]
    public void ApparentRating_ExactlyAtRating_Commits_OneWattMore_IsRefused()
    {
        // 40 kW at pf 0.8 is 50 kVA exactly.
        var model = SmallFeeder.Model(sp3RatingVa: 50_000);
        var m1 = SmallFeeder.Meter(model, "M1", "SP1");
        var m3 = SmallFeeder.Meter(model, "M3", "SP3", powerFactorMilli: 800);
        Assert.Null(SmallFeeder.Book(model).Check(m1, m3, 40_000));
        var refused = SmallFeeder.Book(model).Check(m1, m3, 40_001)!;
        Assert.Equal(ReasonCodes.ThermalLimit, refused.Code);
        Assert.Equal("feeder F1 service point SP3: 50.001 kVA > 50 kVA in 2026-11-22T17:00:00Z", refused.Message);
    }

    [Fact]
    public void MeterLimit_ExactlyAtExportLimit_Commits_OneWattMore_IsRefused()
    {
        var model = SmallFeeder.Model();
        var book = SmallFeeder.Book(model);
        var seller = SmallFeeder.Meter(model, "M1", "SP1", limitW: 10_000);
        var buyer = SmallFeeder.Meter(model, "M3", "SP3");
        book.Apply(seller, buyer, 10_000);
        var refused = book.Check(seller, buyer, 1)!;
        Assert.Equal(ReasonCodes.MeterLimit, refused.Code);
        Assert.Equal("meter M1: export 10.001 kW > 10 kW in 2026-11-22T17:00:00Z", refused.Message);
        // Buying back frees export headroom: the limit is on the net.
        book.Apply(buyer, seller, 4_000);
        Assert.Null(book.Check(seller, buyer, 4_000));
        Assert.Equal("meter M1: import 10.001 kW > 10 kW in 2026-11-22T17:00:00Z", book.Check(buyer, seller, 16_001)!.Message);
    }

    [Fact]
    public void PathLevel_ByNearestSharedTransformerFeederSubstation()
    {
        var model = SmallFeeder.Model();
        Assert.Equal(PathLevel.SameTransformer, model.Level(model.IndexOf("SP1"), model.IndexOf("SP2")));
        Assert.Equal(PathLevel.SameFeeder, model.Level(model.IndexOf("SP1"), model.IndexOf("SP3")));
        Assert.Equal(PathLevel.SameSubstation, model.Level(model.IndexOf("SP1"), model.IndexOf("S")));
    }

    [Fact]
    public void Rebuild_FromInjections_EqualsTheIncrementalBook()
    {
        var model = SmallFeeder.Model(sp1Rating: 500_000);
        var m1 = SmallFeeder.Meter(model, "M1", "SP1", powerFactorMilli: 950);
        var m2 = SmallFeeder.Meter(model, "M2", "SP2");
        var m3 = SmallFeeder.Meter(model, "M3", "SP3", powerFactorMilli: 800);
        var book = SmallFeeder.Book(model, ("T2", 20_000, 5_000));
        book.Apply(m1, m3, 40_000);
        book.Apply(m2, m3, 7_000);
        book.Apply(m3, m1, 11_000);
        var rebuilt = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("T2"), 20_000, 5_000)],
            [(m1, book.MeterNet("M1")), (m2, book.MeterNet("M2")), (m3, book.MeterNet("M3"))]);
        for (int i = 0; i < model.Count; i++)
        {
            Assert.Equal(rebuilt.FlowW(i), book.FlowW(i));
            Assert.Equal(rebuilt.FlowVar(i), book.FlowVar(i));
            Assert.Equal(rebuilt.VoltageSquared(i), book.VoltageSquared(i));
        }
    }
}
