using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Grid.Analysis;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary><c>p2pe-node grid analyze</c>'s report on the documented examples (docs/examples).</summary>
public class GridAnalyzeTests
{
    internal static string Examples => Path.Combine(RepositoryRoot(), "docs", "examples");

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "P2PEnergy.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static string Analyze(string model, string injections)
    {
        var grid = GridModel.Load(File.ReadAllBytes(Path.Combine(Examples, model)));
        var (p, q) = InjectionsFile.Parse(File.ReadAllBytes(Path.Combine(Examples, injections))).ByNode(grid);
        var output = new StringWriter();
        GridAnalysisReport.Write(grid, p, q, output);
        return output.ToString();
    }

    [Fact]
    public void Ieee33_ReportsLossesLowestVoltageAndTheLinDistFlowGap()
    {
        var report = Analyze("ieee33-grid.json", "ieee33-loads.json");
        Assert.Contains("total losses        202.677 kW", report);
        Assert.Contains("lowest voltage      0.91309 p.u. at B18 (LinDistFlow 0.91595)", report);
        Assert.Contains("largest difference  0.00286 p.u. at B18", report);
    }

    [Fact]
    public void ExampleFiles_AreTheModelsTheTestsUse()
    {
        // docs/examples/ieee33-grid.json and grid-small.json are the Ieee33 and SmallFeeder models, byte for byte in meaning.
        var ieee = GridModel.Load(File.ReadAllBytes(Path.Combine(Examples, "ieee33-grid.json")));
        var expected = GridModel.Load(Ieee33.File().ToJsonBytes());
        Assert.Equal(expected.Ids, ieee.Ids);
        Assert.Equal(expected.RMilliohm, ieee.RMilliohm);
        Assert.Equal(expected.XMilliohm, ieee.XMilliohm);
        var small = GridModel.Load(File.ReadAllBytes(Path.Combine(Examples, "grid-small.json")));
        Assert.Equal(SmallFeeder.Model().Rating, small.Rating);
        Assert.Equal(SmallFeeder.Model().RMilliohm, small.RMilliohm);
    }

    [Fact]
    public void UnknownInjectionNode_IsNamed()
    {
        var grid = SmallFeeder.Model();
        var file = InjectionsFile.Parse("""{"injections":[{"node":"SP9","activeW":1}]}"""u8);
        Assert.Contains("node 'SP9' is not in the model", Assert.Throws<GridModelException>(() => file.ByNode(grid)).Message);
    }
}
