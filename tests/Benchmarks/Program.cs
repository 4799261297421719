using BenchmarkDotNet.Running;

namespace P2PEnergy.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>; ends with the cross-class ratio table.</summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "settle-profile")
        {
            // For a profiler or a quick read: the settlement benchmark's setup once, then the interval settled a few
            // times over as many blocks as it takes, no harness; native recover timed in the same process as the unit.
            // --steps N sets the step budget per block (e.g. 100000000: the whole interval in one block, as before chunking).
            var bench = new SettlementBenchmarks { StepsPerBlock = Load.CommandLineArgs.Int(args, "--steps", Node.Ledger.Genesis.ChainParameters.DefaultSettlementStepsPerBlock) };
            bench.Setup();
            Console.WriteLine($"settlement steps per block: {bench.StepsPerBlock:N0}");
            double recoverUs = bench.NativeRecoverMicroseconds();
            Console.WriteLine(double.IsNaN(recoverUs) ? "native secp256k1 not loaded: no ratio" : $"native recover: {recoverUs:F1} µs");
            for (int i = 0; i < 4; i++)
            {
                bench.ResetState();
                GC.Collect(); // marks the end of setup in a trace (an induced collection) and starts every run from the same heap
                var pause = GC.GetTotalPauseDuration();
                long allocated = GC.GetTotalAllocatedBytes();
                int gen2 = GC.CollectionCount(2);
                var settled = bench.SettleOneInterval();
                string Ratio(double ms) => double.IsNaN(recoverUs) ? "" : $" ({ms * 1000 / recoverUs:N0} recovers)";
                Console.WriteLine($"settle: {settled.Blocks} blocks, execution Σ {settled.TotalMs:F0} ms{Ratio(settled.TotalMs)}, worst block {settled.WorstMs:F0} ms{Ratio(settled.WorstMs)} " +
                    $"({settled.WorstWithoutPausesMs:F0} ms less GC pauses), blocks over 250 ms: {settled.Over(250)}, store commits Σ {settled.CommitMs:F0} ms, " +
                    $"GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms, allocated {(GC.GetTotalAllocatedBytes() - allocated) >> 20} MiB, gen2 {GC.CollectionCount(2) - gen2}");
                string Ms(double t) => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
                Console.WriteLine("  blocks ms (GC pause ms): " + string.Join(" ", settled.BlockMs.Select((t, b) => settled.PauseMs[b] >= 1 ? $"{Ms(t)}({Ms(settled.PauseMs[b])})" : Ms(t))));
            }
            bench.Cleanup();
            return 0;
        }
        if (args.Length > 0 && args[0] == "pipeline") return Load.BlockPipeline.Run(args[1..]);
        if (args.Length > 0 && args[0] == "store-commit") return Storage.StoreCommitCost.Run(args[1..]);
        if (args.Length > 0 && args[0] == "door") return Load.DoorCost.Run(args[1..]);
        if (args.Length > 0 && args[0] == "proposal-wire") return Load.ProposalWire.Run(args[1..]);
        if (args.Length > 0 && args[0] == "load") return Load.LoadGenerator.RunAsync(args[1..]).GetAwaiter().GetResult();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args).ToList();
        RecoverCeilingReport.Print(summaries, Console.Out);
        return 0;
    }
}
