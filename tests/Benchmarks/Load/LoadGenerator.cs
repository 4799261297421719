using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// Issue 3's throughput benchmark: pre-signs N EnergyContracts, submits them over gRPC from many concurrent
/// callers to one real node process, follows StreamBlocks to see each commit, and reports committed contracts/s,
/// p50/p99 submit→commit latency, the node's RSS, the CPU each process spent per contract, and the ratio to the
/// recover ceiling measured in the same run. <c>--batch 1</c> submits one envelope per SubmitTransaction call;
/// <c>--batch N</c> sends N per SubmitTransactions call (how an aggregator or a bot with many contracts submits).
/// <c>dotnet run -c Release --project tests/Benchmarks -- load [--contracts N] [--batch B] [--concurrency C] [--pairs P]</c>
/// </summary>
public static class LoadGenerator
{
    public static async Task<int> RunAsync(string[] args)
    {
        var workload = LoadWorkload.FromArgs(args);
        string unit = workload.Unit;
        int contracts = CommandLineArgs.Int(args, "--" + unit, CommandLineArgs.Int(args, "--contracts", 100_000));
        // Transactions committed before the measurement starts: the node's JIT tiers up its hot paths (tiered PGO) and
        // its caches fill during the first seconds, which a node that runs for months pays once. 0 measures a cold node.
        int warmup = CommandLineArgs.Int(args, "--warmup", 30_000);
        // Further warm-up rounds of the same size while the nodes' JIT still took more than 2 % of their CPU in the last
        // one: with four processes on two cores tiered compilation runs well past 30,000 transactions, and a measured
        // phase that includes it measures the process's start, not the node. 0 keeps exactly --warmup.
        int settle = warmup == 0 ? 0 : CommandLineArgs.Int(args, "--settle", 4);
        int batch = Math.Clamp(CommandLineArgs.Int(args, "--batch", 1), 1, 1000);
        // One call in flight per submitter: single envelopes need many callers to keep both cores busy, batches few.
        int concurrency = CommandLineArgs.Int(args, "--concurrency", batch == 1 ? 256 : 32);
        // 16 callers per HTTP/2 connection by default: real submitters are many wallets with a connection each, and
        // 64 streams on one connection mostly measured contention on Kestrel's per-connection locks (−3 points).
        int connections = CommandLineArgs.Int(args, "--connections", Math.Max(2, concurrency / 16));
        int maxBlock = CommandLineArgs.Int(args, "--max-block", 10_000);
        int validators = Math.Clamp(CommandLineArgs.Int(args, "--validators", 1), 1, 7);
        // In flight = submitted, not yet seen committed. Without a window the submitters fill the mempool and the
        // latency percentiles measure the queue the generator built, not the node.
        int window = CommandLineArgs.Int(args, "--window", 8_192);
        // A published node (self-contained, ReadyToRun) instead of dotnet p2pe-node.dll: the cold-start comparison.
        string? binary = CommandLineArgs.Text(args, "--node-binary");
        // Transactions of a last phase paced at half the rate just measured (p99 submit→final there); 0 skips it.
        int halfRate = CommandLineArgs.Int(args, "--half-rate", validators > 1 ? contracts / 4 : 0);
        // A workload with a limited supply (readings: meters × intervals) gets as many settle rounds as it has left.
        if (workload.Capacity is { } capacity && warmup > 0)
            settle = Math.Clamp((capacity - contracts - halfRate) / warmup - 1, 0, settle);
        Console.WriteLine($"load: {contracts:N0} {unit} after {warmup:N0} of warm-up{(settle > 0 ? $" (and up to {settle} more rounds while the nodes' JIT takes over 2 % of their CPU)" : "")}, {(batch == 1 ? "one per SubmitTransaction call" : $"{batch} per SubmitTransactions call")}, {concurrency} concurrent submitters on {connections} connections, window {window:N0}, {validators} validator process(es), {Environment.ProcessorCount} cores");

        // Measured before and after the run (the node idle both times) and averaged: this shared box drifts by several
        // per cent within minutes, and the ratio should not depend on which minute the ceiling was taken in.
        int signatures = workload.SignaturesPerTransaction;
        var recoversBefore = RecoverCeiling.RecoversPerSecond(TimeSpan.FromSeconds(3));
        Console.WriteLine($"ceiling before: {recoversBefore:N0} native recovers/s on all cores = {recoversBefore / signatures:N0} {unit}/s ({signatures} signature(s) each)");

        using var nodes = new LoadCluster(workload, validators, maxBlock, binary);
        if (binary is not null) Console.WriteLine($"node:           {binary}");
        var signing = Stopwatch.StartNew();
        int signed = warmup * (1 + settle) + contracts + halfRate;
        var envelopes = workload.Sign(signed);
        Console.WriteLine($"signed {signed:N0} {unit} in {signing.Elapsed.TotalSeconds:F1} s");
        // Connections spread over every node's public API: a transaction submitted to any node must reach the proposer.
        var channels = Enumerable.Range(0, Math.Max(nodes.Count, connections)).Select(i => NodeChannel.Create(nodes[i % nodes.Count].Address)).ToArray();
        var clients = channels.Select(c => new Ledger.LedgerClient(c)).ToArray();
        foreach (var node in nodes) await WaitReady(new Ledger.LedgerClient(channels[nodes.IndexOf(node)]));

        var run = new Run(envelopes, window, Stopwatch.StartNew());
        using var stop = new CancellationTokenSource();
        var follower = run.FollowAsync(clients[0], stop.Token);
        var options = (batch, concurrency, clients);
        int warmed = 0;
        for (int round = 0; warmup > 0 && round <= settle; round++)
        {
            var cold = await run.PhaseAsync(warmed, warmup, options, nodes, follower);
            warmed += warmup;
            Console.WriteLine($"warm-up {round + 1,-7} {cold.Committed:N0} in {cold.Seconds:F1} s = {cold.Rate:N0} {unit}/s, nodes {cold.NodeCpuSeconds / Math.Max(1, cold.Committed) / (Environment.ProcessorCount / (double)recoversBefore):F2} recovers of CPU per transaction, {JitShare(cold)}");
            if (cold.NodeJitSeconds <= 0.02 * cold.NodeCpuSeconds) break;
        }
        var phase = await run.PhaseAsync(warmed, contracts, options, nodes, follower);
        Phase? paced = null;
        long pacedFrom = 0, pacedTo = 0;
        if (halfRate > 0)
        {
            // Latency at half the maximum rate: the tail a market sees in normal operation, not the queue at saturation.
            pacedFrom = run.Now;
            paced = await run.PhaseAsync(warmed + contracts, halfRate, options, nodes, follower, phase.Rate / 2);
            pacedTo = run.Now;
        }
        await stop.CancelAsync();
        await follower;
        // Work goes on after the last commit (the kernel writing the ledger's dirty pages back, gate-closure dispatch
        // over the forward book, GC): a ceiling measured under it is low and inflates the ratio. Measure it once idle.
        var quiet = await WaitForIdleMachine(TimeSpan.FromSeconds(30));
        var recoversAfter = RecoverCeiling.RecoversPerSecond(TimeSpan.FromSeconds(3));
        var recovers = (recoversBefore + recoversAfter) / 2;
        // Every validator recovers every signature: n validators on one machine share the ceiling n ways.
        var ceiling = recovers / signatures / validators;
        Console.WriteLine($"ceiling after:  {recoversAfter:N0} native recovers/s; mean {recovers:N0} = {ceiling:N0} {unit}/s{(validators > 1 ? $" per validator (÷ {validators})" : "")} (machine idle after {quiet.TotalSeconds:F1} s)");
        var latencies = Latencies(run, warmed, contracts);
        int ok = phase.Committed;
        Console.WriteLine();
        Console.WriteLine($"committed       {ok:N0} of {contracts:N0} in {phase.Seconds:F1} s = {phase.Rate:N0} {unit}/s");
        Console.WriteLine($"submit->final   p50 {Percentile(latencies, 0.50):N0} ms, p99 {Percentile(latencies, 0.99):N0} ms");
        if (paced is not null)
        {
            var calm = Latencies(run, warmed + contracts, halfRate);
            Console.WriteLine($"at half rate    {paced.Committed:N0} of {halfRate:N0} at {paced.Rate:N0} {unit}/s: submit->final p50 {Percentile(calm, 0.50):N0} ms, p99 {Percentile(calm, 0.99):N0} ms");
            // Whether a tail is one stalled height or queueing spread over many: the longest wait for the next block.
            if (run.LongestGap(pacedFrom, pacedTo) is { } gap)
                Console.WriteLine($"                longest wait between commits {gap.Milliseconds:N0} ms (until height {gap.Height}, decided in round {gap.Round}); {gap.Blocks:N0} blocks, {gap.Over500:N0} of the waits over 500 ms");
        }
        Console.WriteLine($"ratio           {phase.Rate / ceiling:P1} of the recover ceiling{(validators > 1 ? $" ÷ {validators}" : "")} ({ceiling:N0} {unit}/s)");
        if (workload.Target(phase.Rate, ceiling) is { } target) Console.WriteLine(target);
        for (int n = 0; n < nodes.Count; n++)
        {
            var (rss, peak) = nodes[n].Memory();
            Console.WriteLine($"node {n} RSS      {rss / 1048576.0:N0} MiB now, {peak / 1048576.0:N0} MiB peak");
        }
        Console.WriteLine($"ledger on disk  {nodes[0].LedgerBytes / 1048576.0:N0} MiB = {nodes[0].LedgerBytes / (double)(warmed + contracts):N0} bytes per transaction (with its results, indexes and the genesis)");
        // CPU per committed transaction, in recovers (one recover = 1 / (recovers/s per core) of CPU): steadier than
        // the rate on a shared box, and it says where the machine's time went. The signatures are its floor per node.
        double recoverSeconds = Environment.ProcessorCount / (double)recovers;
        Console.WriteLine($"CPU / tx        nodes {phase.NodeCpuSeconds / ok / recoverSeconds:F2} recovers ({phase.NodeCpuSeconds * 1e6 / ok:F1} µs), generator {phase.OwnCpuSeconds / ok / recoverSeconds:F2} recovers ({phase.OwnCpuSeconds * 1e6 / ok:F1} µs)");
        // The store's write volume: every dirtied page goes to the WAL and again to the main file at a checkpoint.
        Console.WriteLine($"written / tx    nodes {phase.NodeWritten / (double)ok:N0} bytes through write calls, {phase.NodeToDisk / (double)ok:N0} bytes to the disk (Σ nodes)");
        Console.WriteLine($"JIT             {JitShare(phase)} (after {warmed:N0} of warm-up)");
        Console.WriteLine($"machine busy    {(phase.NodeCpuSeconds + phase.OwnCpuSeconds) / phase.Seconds / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores (nodes + generator)");
        foreach (var (code, n) in run.Rejected) Console.WriteLine($"rejected        {code}: {n:N0}");
        var (heights, laterRounds) = run.Rounds;
        Console.WriteLine($"rounds > 0      {laterRounds:N0} of {heights:N0} heights = {(heights == 0 ? 0 : laterRounds * 1000.0 / heights):F1} per 1,000 heights");
        await SpotCheckResults(clients[0], envelopes, warmed + ok);
        foreach (var c in channels) c.Dispose();
        return phase.Complete && ok == contracts ? 0 : 1;
    }

    /// <summary>
    /// Waits until the machine (every process and the kernel's writeback of the ledger files included) was under 5 %
    /// busy over half a second, or <paramref name="limit"/> passed, so the ceiling after the run is not measured
    /// against leftover work. Returns how long it waited.
    /// </summary>
    private static async Task<TimeSpan> WaitForIdleMachine(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            var (busy0, total0) = MachineTicks();
            await Task.Delay(500);
            var (busy1, total1) = MachineTicks();
            if (total1 > total0 && (busy1 - busy0) < 0.05 * (total1 - total0)) break;
        }
        return waited.Elapsed;
    }

    // /proc/stat's first line: user nice system idle iowait irq softirq steal ...; busy = all but idle and iowait.
    private static (long Busy, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        long total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }

    private sealed record Phase(int Committed, double Seconds, double NodeCpuSeconds, double OwnCpuSeconds, double NodeJitSeconds, long NodeWritten, long NodeToDisk, bool Complete)
    {
        public double Rate => Committed / Seconds;
    }

    private static string JitShare(Phase phase) =>
        $"nodes' tiered JIT {phase.NodeJitSeconds:F2} s = {phase.NodeJitSeconds / Math.Max(1e-9, phase.NodeCpuSeconds):P1} of their CPU";

    /// <summary>
    /// The state of one run: the envelopes, when each was submitted and seen committed, and the in-flight window.
    /// One follower reads StreamBlocks for the whole run; phases submit consecutive ranges of envelopes.
    /// </summary>
    private sealed class Run(byte[][] envelopes, int window, Stopwatch clock)
    {
        private readonly Dictionary<Hash32, int> _index = Index(envelopes);
        private readonly SemaphoreSlim _inFlight = new(window, window);
        private int _finished; // committed, or rejected for good

        public long[] Submitted { get; } = new long[envelopes.Length];
        public long[] Committed { get; } = new long[envelopes.Length];
        public ConcurrentDictionary<string, int> Rejected { get; } = new();
        /// <summary>Heights seen, and how many of them were decided in a round above 0 (a proposer missed its turn).</summary>
        public (int Heights, int LaterRounds) Rounds
        {
            get { lock (_arrivals) return (_arrivals.Count, _arrivals.Count(a => a.Round > 0)); }
        }

        // Every block as it arrived: its height, the round that decided it, and when (clock ticks).
        private readonly List<(ulong Height, uint Round, long Ticks)> _arrivals = [];

        public long Now => clock.ElapsedTicks;

        /// <summary>The longest time between two consecutive blocks arriving in [<paramref name="from"/>, <paramref name="to"/>] (clock ticks).</summary>
        public (double Milliseconds, ulong Height, uint Round, int Blocks, int Over500)? LongestGap(long from, long to)
        {
            List<(ulong Height, uint Round, long Ticks)> seen;
            lock (_arrivals) seen = _arrivals.Where(a => a.Ticks >= from && a.Ticks <= to).ToList();
            if (seen.Count < 2) return null;
            var gaps = seen.Skip(1).Select((a, i) => (Milliseconds: (a.Ticks - seen[i].Ticks) * 1000.0 / Stopwatch.Frequency, a.Height, a.Round)).ToList();
            var longest = gaps.MaxBy(g => g.Milliseconds);
            return (longest.Milliseconds, longest.Height, longest.Round, seen.Count, gaps.Count(g => g.Milliseconds > 500));
        }

        private static Dictionary<Hash32, int> Index(byte[][] envelopes)
        {
            var index = new Dictionary<Hash32, int>(envelopes.Length);
            for (int i = 0; i < envelopes.Length; i++) index[TransactionId.Of(envelopes[i])] = i;
            return index;
        }

        public Task FollowAsync(Ledger.LedgerClient ledger, CancellationToken cancellation) => Task.Run(async () =>
        {
            try
            {
                using var call = ledger.StreamBlocks(new StreamBlocksRequest { FromHeight = 1 }, cancellationToken: cancellation);
                await foreach (var block in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    long now = clock.ElapsedTicks;
                    lock (_arrivals) _arrivals.Add((block.Header?.Height ?? 0, block.Commit?.Round ?? 0, now));
                    foreach (var tx in block.Transactions)
                        if (_index.TryGetValue(TransactionId.Of(tx.Span), out var i) && Committed[i] == 0)
                        {
                            Committed[i] = now;
                            Finish();
                        }
                }
            }
            catch (OperationCanceledException) { }
            catch (RpcException) when (cancellation.IsCancellationRequested) { }
        });

        private void Finish()
        {
            Interlocked.Increment(ref _finished);
            _inFlight.Release();
        }

        /// <summary>
        /// Submits envelopes [first, first + count) and returns once all of them finished (or after 10 minutes); at
        /// <paramref name="rate"/> transactions/s when given (each batch waits for its slot), else as fast as the window allows.
        /// </summary>
        public async Task<Phase> PhaseAsync(int first, int count, (int Batch, int Concurrency, Ledger.LedgerClient[] Clients) options, LoadCluster node, Task follower, double? rate = null)
        {
            int end = first + count, next = first;
            long start = clock.ElapsedTicks;
            var nodeCpuBefore = node.CpuTime();
            var jitBefore = node.TieringCpuTicks();
            var writtenBefore = node.WrittenBytes();
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var submitters = Enumerable.Range(0, options.Concurrency).Select(w => Task.Run(async () =>
            {
                var ledger = options.Clients[w % options.Clients.Length];
                int from;
                while ((from = Interlocked.Add(ref next, options.Batch) - options.Batch) < end)
                {
                    int n = Math.Min(options.Batch, end - from);
                    if (rate is { } perSecond)
                    {
                        long due = start + (long)((from - first) / perSecond * Stopwatch.Frequency);
                        long wait = due - clock.ElapsedTicks;
                        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
                    }
                    for (int k = 0; k < n; k++) await _inFlight.WaitAsync();
                    var pending = Enumerable.Range(from, n).ToList();
                    while (pending.Count > 0)
                    {
                        long now = clock.ElapsedTicks;
                        foreach (int i in pending) Submitted[i] = now;
                        var verdicts = await SubmitAsync(ledger, pending.Select(i => envelopes[i]).ToList());
                        var retry = new List<int>();
                        for (int j = 0; j < pending.Count; j++)
                        {
                            var verdict = verdicts[j];
                            if (verdict.Accepted) continue;
                            if (verdict.Code == "MEMPOOL_FULL") { retry.Add(pending[j]); continue; }
                            Rejected.AddOrUpdate(verdict.Code, 1, (_, c) => c + 1);
                            Finish();
                        }
                        pending = retry;
                        if (pending.Count > 0) await Task.Delay(20);
                    }
                }
            })).ToArray();
            await Task.WhenAll(submitters);
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref _finished) < end && !follower.IsCompleted && deadline.Elapsed < TimeSpan.FromMinutes(10)) await Task.Delay(1);
            double seconds = (clock.ElapsedTicks - start) / (double)Stopwatch.Frequency;
            int committed = 0;
            for (int i = first; i < end; i++) if (Committed[i] > 0) committed++;
            var nodeCpu = (node.CpuTime() - nodeCpuBefore).TotalSeconds;
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds;
            var jit = node.TieringCpuSince(jitBefore).TotalSeconds;
            var written = node.WrittenBytes();
            return new Phase(committed, seconds, nodeCpu, ownCpu, jit, written.Written - writtenBefore.Written, written.ToDisk - writtenBefore.ToDisk, Volatile.Read(ref _finished) >= end);
        }
    }

    /// <summary>One envelope through SubmitTransaction, several through one SubmitTransactions call.</summary>
    private static async Task<IReadOnlyList<SubmitTransactionResponse>> SubmitAsync(Ledger.LedgerClient ledger, IReadOnlyList<byte[]> envelopes)
    {
        if (envelopes.Count == 1)
            return [await ledger.SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = ByteString.CopyFrom(envelopes[0]) })];
        var request = new SubmitTransactionsRequest();
        foreach (var envelope in envelopes) request.Transactions.Add(ByteString.CopyFrom(envelope));
        var response = await ledger.SubmitTransactionsAsync(request);
        if (response.Verdicts.Count != envelopes.Count) throw new InvalidOperationException($"{response.Verdicts.Count} verdicts for {envelopes.Count} transactions");
        return response.Verdicts;
    }

    /// <summary>Committed is not accepted: sample the execution results, which must all be OK.</summary>
    private static async Task SpotCheckResults(Ledger.LedgerClient ledger, byte[][] envelopes, int committed)
    {
        if (committed == 0) return;
        int bad = 0, checkedCount = 0;
        for (int i = 0; i < envelopes.Length && checkedCount < 200; i += Math.Max(1, envelopes.Length / 200), checkedCount++)
        {
            using var call = ledger.WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(TransactionId.Of(envelopes[i]).Bytes) },
                deadline: DateTime.UtcNow.AddSeconds(10));
            await foreach (var status in call.ResponseStream.ReadAllAsync())
            {
                if (status.State != TransactionStatus.Types.State.Committed) continue;
                if (status.Result.Code != "OK") { bad++; Console.WriteLine($"result          {status.Result.Code}: {status.Result.Message}"); }
                break;
            }
        }
        Console.WriteLine($"spot check      {checkedCount - bad} of {checkedCount} sampled results OK");
    }

    private static async Task WaitReady(Ledger.LedgerClient ledger)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { await ledger.GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2)); return; }
            catch (RpcException) when (attempt < 100) { await Task.Delay(200); }
        }
    }

    private static double[] Latencies(Run run, int first, int count) => Enumerable.Range(first, count).Where(i => run.Committed[i] > 0)
        .Select(i => (run.Committed[i] - run.Submitted[i]) * 1000.0 / Stopwatch.Frequency).Order().ToArray();

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
