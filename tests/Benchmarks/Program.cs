using BenchmarkDotNet.Running;

namespace P2PEnergy.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>; ends with the cross-class ratio table.</summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "pipeline") return Load.BlockPipeline.Run(args[1..]);
        if (args.Length > 0 && args[0] == "load") return Load.LoadGenerator.RunAsync(args[1..]).GetAwaiter().GetResult();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args).ToList();
        RecoverCeilingReport.Print(summaries, Console.Out);
        return 0;
    }
}
