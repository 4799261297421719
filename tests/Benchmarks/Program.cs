using BenchmarkDotNet.Running;

namespace P2PEnergy.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>.</summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
