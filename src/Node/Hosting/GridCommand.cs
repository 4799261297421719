using System.CommandLine;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Grid.Analysis;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node grid analyze (--model grid.json | --matpower case.m) [--injections file]</c>: offline AC analysis of a
/// grid model; a MATPOWER case brings its own loads unless --injections replaces them.
/// </summary>
public static class GridCommand
{
    public static Command Build()
    {
        var model = new Option<string?>("--model") { Description = "Grid model JSON file (docs/grid-model.md)" };
        var matpower = new Option<string?>("--matpower") { Description = "A radial MATPOWER case (.m) instead of --model; its loads are the default injections" };
        var injections = new Option<string?>("--injections") { Description = "Net injections per node (W, var; loads negative); none = no load" };
        var analyze = new Command("analyze", "Full AC power flow (backward/forward sweep) beside the ledger's LinDistFlow estimate") { model, matpower, injections };
        analyze.SetAction(result =>
        {
            try
            {
                var (modelFile, matpowerFile) = (result.GetValue(model), result.GetValue(matpower));
                if ((modelFile is null) == (matpowerFile is null)) throw new GridModelException("give exactly one of --model and --matpower");
                var imported = matpowerFile is null ? null : MatpowerCase.Parse(File.ReadAllText(matpowerFile));
                var grid = GridModel.Load(imported?.Model.ToJsonBytes() ?? File.ReadAllBytes(modelFile!));
                var file = result.GetValue(injections) is { } path ? InjectionsFile.Parse(File.ReadAllBytes(path)) : imported?.Loads ?? new InjectionsFile();
                var (p, q) = file.ByNode(grid);
                GridAnalysisReport.Write(grid, p, q, Console.Out);
                return 0;
            }
            catch (Exception e) when (e is GridModelException or GridRangeException or IOException or InvalidOperationException or OverflowException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return new Command("grid", "Grid model tools") { analyze };
    }
}
