using System.Numerics;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Grid.Analysis;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// <c>p2pe-node grid analyze --matpower</c> reproduces published reference power flows of radial test feeders to
/// 0.01 kW of losses and 1e-4 p.u. of voltage, whichever unit form the case is written in (issue 12 item 6). Whole
/// milliohms did not: 0.04 kW off on the 33-bus feeder, 0.16 kW on the 69-bus one, and the p.u. and ohm forms of one
/// case rounded ties (409.5 mΩ) differently.
/// </summary>
public sealed class ReferenceFeederTests
{
    private const double LossToleranceKw = 0.01, VoltageTolerancePu = 1e-4;

    private sealed record Solution(double LossesKw, double MinVoltagePu, string MinAt, double[] VoltageByBus);

    private static Solution Solve(string caseText)
    {
        var imported = MatpowerCase.Parse(caseText);
        var model = GridModel.Load(imported.Model.ToJsonBytes());
        var (p, q) = imported.Loads.ByNode(model);
        var ac = AcPowerFlow.Solve(model, p.Zip(q, (a, b) => new Complex(a, b)).ToArray());
        int lowest = Enumerable.Range(0, model.Count).MinBy(i => ac.VoltagePu[i].Magnitude);
        var byBus = Enumerable.Range(1, model.Count).Select(bus => ac.VoltagePu[model.IndexOf($"B{bus}")].Magnitude).ToArray();
        return new Solution(ac.LossesW / 1000, ac.VoltagePu[lowest].Magnitude, model.Ids[lowest], byBus);
    }

    private static IReadOnlyList<(decimal Kw, decimal Kvar)> Ieee33Loads => Ieee33.Loads.Select(l => ((decimal)l.Kw, (decimal)l.Kvar)).ToList();

    private static string Case(string feeder, string form) => (feeder, form) switch
    {
        ("33", "ohm/kW") => MatpowerText.OhmsAndKilowatts(Ieee33.Branches, Ieee33Loads),
        ("33", "p.u./MW") => MatpowerText.PerUnitAndMegawatts(Ieee33.Branches, Ieee33Loads),
        ("69", "ohm/kW") => MatpowerText.OhmsAndKilowatts(Baran69.Branches, Baran69.Loads),
        ("69", "p.u./MW") => MatpowerText.PerUnitAndMegawatts(Baran69.Branches, Baran69.Loads),
        _ => throw new ArgumentException($"{feeder} {form}"),
    };

    private static void AssertReproduces(Solution solved, double lossesKw, double minVoltagePu, string minAt)
    {
        Assert.True(Math.Abs(solved.LossesKw - lossesKw) <= LossToleranceKw, $"losses {solved.LossesKw:F4} kW, the reference is {lossesKw} kW (± {LossToleranceKw})");
        Assert.True(Math.Abs(solved.MinVoltagePu - minVoltagePu) <= VoltageTolerancePu, $"lowest voltage {solved.MinVoltagePu:F6} p.u., the reference is {minVoltagePu} (± {VoltageTolerancePu})");
        Assert.Equal(minAt, solved.MinAt);
    }

    /// <summary>
    /// IEEE 33-bus (Baran &amp; Wu 1989, doi:10.1109/61.25627; 12.66 kV, 10 MVA base): the base-case power flow quoted
    /// with the feeder throughout the literature: 202.67 kW of losses (135.14 kvar), the lowest voltage 0.91309 p.u. at
    /// bus 18.
    /// </summary>
    [Theory]
    [InlineData("ohm/kW")]
    [InlineData("p.u./MW")]
    public void Ieee33_ReproducesTheBaranWuBaseCase(string form)
        => AssertReproduces(Solve(Case("33", form)), 202.67, 0.91309, "B18");

    /// <summary>
    /// The 69-bus feeder (Baran &amp; Wu 1989, doi:10.1109/61.19265; MATPOWER case69 v2 at 12.66 kV): the lowest voltage
    /// 0.9092 p.u. at bus 65, as quoted for the base case, and 224.99 kW of losses — the power flow of the published
    /// data, which the literature rounds to 225 kW (the 224.9x figures in some papers come from looser tolerances or
    /// the 12.7 kV base of older case files); a Newton–Raphson solution on the bus admittance matrix gives 224.9917 kW.
    /// </summary>
    [Theory]
    [InlineData("ohm/kW")]
    [InlineData("p.u./MW")]
    public void Baran69_ReproducesTheBaseCase(string form)
        => AssertReproduces(Solve(Case("69", form)), 224.99, 0.9092, "B65");

    [Theory]
    [InlineData("33")]
    [InlineData("69")]
    public void OneFeeder_InEitherUnitForm_IsOneModel(string feeder)
    {
        var ohms = Solve(Case(feeder, "ohm/kW"));
        var perUnit = Solve(Case(feeder, "p.u./MW"));
        Assert.True(Math.Abs(ohms.LossesKw - perUnit.LossesKw) < 1e-6, $"{ohms.LossesKw} kW from ohms, {perUnit.LossesKw} kW from p.u.");
        Assert.All(ohms.VoltageByBus.Zip(perUnit.VoltageByBus), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 1e-9));
    }

    [Fact]
    public void NegativeControl_WholeMilliohms_MissTheReferenceBeyondTheTolerance()
    {
        // The same 69-bus case with every impedance rounded to a whole milliohm, as the model used to store it: the
        // check above must be able to fail, and does (224.84 kW, 0.15 kW short; the 0.5 mΩ head branches become 0 or 1).
        static decimal Whole(decimal ohms) => Math.Round(ohms * 1000m, MidpointRounding.ToEven) / 1000m;
        var rounded = Baran69.Branches.Select(b => (b.From, b.To, Whole(b.R), Whole(b.X))).ToList();
        var solved = Solve(MatpowerText.OhmsAndKilowatts(rounded, Baran69.Loads));
        Assert.True(Math.Abs(solved.LossesKw - 224.99) > LossToleranceKw, $"{solved.LossesKw:F4} kW");
    }

    [Fact]
    public void DocsExample_Ieee33Model_ReproducesTheBaseCase()
    {
        // docs/examples/ieee33-grid.json keeps the exact impedances (fractions of a milliohm) the report uses.
        var model = GridModel.Load(File.ReadAllBytes(Path.Combine(GridAnalyzeTests.Examples, "ieee33-grid.json")));
        var (p, q) = InjectionsFile.Parse(File.ReadAllBytes(Path.Combine(GridAnalyzeTests.Examples, "ieee33-loads.json"))).ByNode(model);
        var ac = AcPowerFlow.Solve(model, p.Zip(q, (a, b) => new Complex(a, b)).ToArray());
        int lowest = Enumerable.Range(0, model.Count).MinBy(i => ac.VoltagePu[i].Magnitude);
        AssertReproduces(new Solution(ac.LossesW / 1000, ac.VoltagePu[lowest].Magnitude, model.Ids[lowest], []), 202.67, 0.91309, "B18");
    }
}
