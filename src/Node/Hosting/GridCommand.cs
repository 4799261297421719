using System.CommandLine;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Grid.Analysis;

namespace P2PEnergy.Node.Hosting;

/// <summary><c>p2pe-node grid analyze --model grid.json [--injections file]</c>: offline AC analysis of a grid model.</summary>
public static class GridCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Grid model JSON file (docs/grid-model.md)", Required = true };
        var injections = new Option<string?>("--injections") { Description = "Net injections per node (W, var; loads negative); none = no load" };
        var analyze = new Command("analyze", "Full AC power flow (backward/forward sweep) beside the ledger's LinDistFlow estimate") { model, injections };
        analyze.SetAction(result =>
        {
            try
            {
                var grid = GridModel.Load(File.ReadAllBytes(result.GetValue(model)!));
                var file = result.GetValue(injections) is { } path ? InjectionsFile.Parse(File.ReadAllBytes(path)) : new InjectionsFile();
                var (p, q) = file.ByNode(grid);
                GridAnalysisReport.Write(grid, p, q, Console.Out);
                return 0;
            }
            catch (Exception e) when (e is GridModelException or IOException or InvalidOperationException or OverflowException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return new Command("grid", "Grid model tools") { analyze };
    }
}
