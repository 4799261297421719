using BenchmarkDotNet.Running;

namespace P2PEnergy.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>; ends with the cross-class ratio table.</summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "settle-profile")
        {
            // For a profiler: the settlement benchmark's setup once, then its measured call a few times, no harness.
            var bench = new SettlementBenchmarks();
            bench.Setup();
            GC.Collect(); // marks the end of setup in a trace (an induced collection) and starts every run from the same heap
            for (int i = 0; i < 4; i++)
            {
                var pause = GC.GetTotalPauseDuration();
                long allocated = GC.GetTotalAllocatedBytes();
                int gen2 = GC.CollectionCount(2);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                bench.SettleOneInterval();
                Console.WriteLine($"settle: {clock.ElapsedMilliseconds} ms, GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms, allocated {(GC.GetTotalAllocatedBytes() - allocated) >> 20} MiB, gen2 {GC.CollectionCount(2) - gen2}");
            }
            return 0;
        }
        if (args.Length > 0 && args[0] == "pipeline") return Load.BlockPipeline.Run(args[1..]);
        if (args.Length > 0 && args[0] == "load") return Load.LoadGenerator.RunAsync(args[1..]).GetAwaiter().GetResult();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args).ToList();
        RecoverCeilingReport.Print(summaries, Console.Out);
        return 0;
    }
}
