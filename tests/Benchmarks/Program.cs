using BenchmarkDotNet.Running;

namespace P2PEnergy.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>; ends with the cross-class ratio table.</summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args).ToList();
        RecoverCeilingReport.Print(summaries, Console.Out);
        return 0;
    }
}
