using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Grid.Analysis;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>MATPOWER import: the ohm/kW distribution-case style (as case33bw.m) and the standard p.u. style.</summary>
public class MatpowerCaseTests
{
    /// <summary>The IEEE 33-bus data of <see cref="Ieee33"/> written the way MATPOWER's case33bw.m lays it out, with its open tie switch.</summary>
    private static string Case33InOhmsAndKilowatts()
        => MatpowerText.OhmsAndKilowatts(Ieee33.Branches, Ieee33.Loads.Select(l => ((decimal)l.Kw, (decimal)l.Kvar)).ToList(),
            extraBranches: "\t21\t8\t2.0000\t2.0000\t0\t0\t0\t0\t0\t0\t0\t-360\t360;\n");

    [Fact]
    public void DistributionCase_InOhmsAndKilowatts_ImportsAsTheIeee33Model()
    {
        var imported = MatpowerCase.Parse(Case33InOhmsAndKilowatts());
        var model = GridModel.Load(imported.Model.ToJsonBytes());
        var expected = GridModel.Load(Ieee33.File().ToJsonBytes());
        Assert.Equal(expected.Count, model.Count);
        foreach (var id in expected.Ids)
        {
            int a = model.IndexOf(id), b = expected.IndexOf(id);
            Assert.Equal(expected.RMilliohm[b], model.RMilliohm[a]);
            Assert.Equal(expected.XMilliohm[b], model.XMilliohm[a]);
            Assert.Equal(expected.Ids[expected.Parent[b] < 0 ? 0 : expected.Parent[b]], model.Ids[model.Parent[a] < 0 ? 0 : model.Parent[a]]);
        }
        var (p, q) = imported.Loads.ByNode(model);
        Assert.Equal(-3_715_000, p.Sum());
        Assert.Equal(-2_300_000, q.Sum());
    }

    [Fact]
    public void StandardCase_InPerUnit_ConvertsToOhmsAtTheBusBase()
    {
        // 10 MVA base, 12.66 kV: Z_base = 16.02756 Ω, so r = 0.1 p.u. is 1,602.756 mΩ and x = 0.05 p.u. 801.378 mΩ, kept
        // exactly; the ledger's checks use them rounded, 1,603 and 801.
        const string text = """
            mpc.baseMVA = 10;
            mpc.bus = [
              1 3 0 0 0 0 1 1 0 12.66 1 1.1 0.9;
              2 1 1.5 0.5 0 0 1 1 0 12.66 1 1.1 0.9;
            ];
            mpc.branch = [
              1 2 0.1 0.05 0 8 0 0 0 0 1 -360 360;
            ];
            """;
        var imported = MatpowerCase.Parse(text);
        var b2 = imported.Model.Nodes.Single(n => n.Id == "B2");
        Assert.Equal(1_602.756m, b2.RMilliohm);
        Assert.Equal(801.378m, b2.XMilliohm);
        var model = GridModel.Load(imported.Model.ToJsonBytes());
        Assert.Equal((1_603L, 801L), (model.RMilliohm[1], model.XMilliohm[1]));
        Assert.Equal(8_000_000, b2.RatingVa);
        Assert.Equal(-1_500_000, imported.Loads.Injections.Single().ActiveW);
    }

    [Fact]
    public void Meshed_IsRefused()
    {
        var text = Case33InOhmsAndKilowatts().Replace("\t21\t8\t2.0000\t2.0000\t0\t0\t0\t0\t0\t0\t0", "\t21\t8\t2.0000\t2.0000\t0\t0\t0\t0\t0\t0\t1");
        Assert.Contains("not radial", Assert.Throws<GridModelException>(() => MatpowerCase.Parse(text)).Message);
    }
}
