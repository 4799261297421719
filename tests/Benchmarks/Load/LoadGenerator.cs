using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Rpc;
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
        int contracts = CommandLineArgs.Int(args, "--contracts", 100_000);
        int batch = Math.Clamp(CommandLineArgs.Int(args, "--batch", 1), 1, 1000);
        // One call in flight per submitter: single envelopes need many callers to keep both cores busy, batches few.
        int concurrency = CommandLineArgs.Int(args, "--concurrency", batch == 1 ? 256 : 32);
        int connections = CommandLineArgs.Int(args, "--connections", Math.Max(2, concurrency / 64));
        int pairs = CommandLineArgs.Int(args, "--pairs", 50);
        int maxBlock = CommandLineArgs.Int(args, "--max-block", 10_000);
        // In flight = submitted, not yet seen committed. Without a window the submitters fill the mempool and the
        // latency percentiles measure the queue the generator built, not the node.
        int window = CommandLineArgs.Int(args, "--window", 8_192);
        Console.WriteLine($"load: {contracts:N0} contracts, {(batch == 1 ? "one per SubmitTransaction call" : $"{batch} per SubmitTransactions call")}, {concurrency} concurrent submitters on {connections} connections, window {window:N0}, {pairs} seller/buyer pairs, {Environment.ProcessorCount} cores");

        var recovers = RecoverCeiling.RecoversPerSecond(TimeSpan.FromSeconds(3));
        var ceiling = recovers / 2;
        Console.WriteLine($"ceiling: {recovers:N0} native recovers/s on all cores = {ceiling:N0} contracts/s (2 signatures each)");

        using var node = new NodeUnderLoad(pairs, maxBlock);
        var signing = Stopwatch.StartNew();
        var envelopes = NodeUnderLoad.SignContracts(node.Pairs, contracts);
        Console.WriteLine($"signed {contracts:N0} contracts in {signing.Elapsed.TotalSeconds:F1} s");
        var index = new Dictionary<Hash32, int>(contracts);
        for (int i = 0; i < envelopes.Length; i++) index[TransactionId.Of(envelopes[i])] = i;

        var channels = Enumerable.Range(0, Math.Max(1, connections)).Select(_ => new RpcChannel(node.Address)).ToArray();
        await WaitReady(channels[0]);
        var submitted = new long[contracts];
        var committed = new long[contracts];
        int committedCount = 0;
        using var inFlight = new SemaphoreSlim(window, window);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var follower = Task.Run(async () =>
        {
            try
            {
                await foreach (var block in channels[0].ServerStreamingAsync("p2pe.v1.Ledger", "StreamBlocks", new StreamBlocksRequest { FromHeight = 1 }, Block.Parser, cancellationToken: stop.Token))
                {
                    long now = clock.ElapsedTicks;
                    foreach (var tx in block.Transactions)
                        if (index.TryGetValue(TransactionId.Of(tx.Span), out var i) && committed[i] == 0)
                        {
                            committed[i] = now;
                            Interlocked.Increment(ref committedCount);
                            inFlight.Release();
                        }
                    if (Volatile.Read(ref committedCount) >= contracts) return;
                }
            }
            catch (OperationCanceledException) { }
            catch (RpcException) when (stop.IsCancellationRequested) { }
        });

        int next = 0;
        var rejected = new ConcurrentDictionary<string, int>();
        long firstSubmit = clock.ElapsedTicks;
        var nodeCpuBefore = node.CpuTime();
        var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var submitters = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var channel = channels[w % channels.Length];
            int first;
            while ((first = Interlocked.Add(ref next, batch) - batch) < contracts)
            {
                int count = Math.Min(batch, contracts - first);
                for (int k = 0; k < count; k++) await inFlight.WaitAsync();
                var pending = Enumerable.Range(first, count).ToList();
                while (pending.Count > 0)
                {
                    long now = clock.ElapsedTicks;
                    foreach (int i in pending) submitted[i] = now;
                    var verdicts = await SubmitAsync(channel, pending.Select(i => envelopes[i]).ToList());
                    var retry = new List<int>();
                    for (int j = 0; j < pending.Count; j++)
                    {
                        var verdict = verdicts[j];
                        if (verdict.Accepted) continue;
                        if (verdict.Code == "MEMPOOL_FULL") { retry.Add(pending[j]); continue; }
                        rejected.AddOrUpdate(verdict.Code, 1, (_, n) => n + 1);
                        Interlocked.Increment(ref committedCount);
                        inFlight.Release();
                    }
                    pending = retry;
                    if (pending.Count > 0) await Task.Delay(20);
                }
            }
        })).ToArray();
        await Task.WhenAll(submitters);
        var done = await Task.WhenAny(follower, Task.Delay(TimeSpan.FromMinutes(10)));
        await stop.CancelAsync();
        double seconds = (clock.ElapsedTicks - firstSubmit) / (double)Stopwatch.Frequency;
        var nodeCpu = node.CpuTime() - nodeCpuBefore;
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;
        int ok = committed.Count(t => t > 0);
        var latencies = Enumerable.Range(0, contracts).Where(i => committed[i] > 0)
            .Select(i => (committed[i] - submitted[i]) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        var (rss, peak) = node.Memory();
        double rate = ok / seconds;
        Console.WriteLine();
        Console.WriteLine($"committed       {ok:N0} of {contracts:N0} in {seconds:F1} s = {rate:N0} contracts/s");
        Console.WriteLine($"submit->commit  p50 {Percentile(latencies, 0.50):N0} ms, p99 {Percentile(latencies, 0.99):N0} ms");
        Console.WriteLine($"ratio           {rate / ceiling:P1} of the recover ceiling ({ceiling:N0} contracts/s)");
        Console.WriteLine($"node RSS        {rss / 1048576.0:N0} MiB now, {peak / 1048576.0:N0} MiB peak");
        // CPU per committed contract, in recovers (one recover = 1 / (recovers/s per core) of CPU): steadier than the
        // rate on a shared box, and it says where the machine's time went. 2 of it is the signature floor.
        double recoverSeconds = Environment.ProcessorCount / (double)recovers;
        Console.WriteLine($"CPU / contract  node {nodeCpu.TotalSeconds / ok / recoverSeconds:F2} recovers ({nodeCpu.TotalMilliseconds * 1000 / ok:F1} µs), generator {ownCpu.TotalSeconds / ok / recoverSeconds:F2} recovers ({ownCpu.TotalMilliseconds * 1000 / ok:F1} µs)");
        foreach (var (code, n) in rejected) Console.WriteLine($"rejected        {code}: {n:N0}");
        await SpotCheckResults(channels[0], envelopes, ok);
        foreach (var c in channels) c.Dispose();
        return done == follower && ok == contracts ? 0 : 1;
    }

    /// <summary>One envelope through SubmitTransaction, several through one SubmitTransactions call.</summary>
    private static async Task<IReadOnlyList<SubmitTransactionResponse>> SubmitAsync(RpcChannel channel, IReadOnlyList<byte[]> envelopes)
    {
        if (envelopes.Count == 1)
            return [await channel.UnaryAsync("p2pe.v1.Ledger", "SubmitTransaction",
                new SubmitTransactionRequest { Transaction = Transaction.Parser.ParseFrom(envelopes[0]) }, SubmitTransactionResponse.Parser)];
        var request = new SubmitTransactionsRequest();
        foreach (var envelope in envelopes) request.Transactions.Add(Transaction.Parser.ParseFrom(envelope));
        var response = await channel.UnaryAsync("p2pe.v1.Ledger", "SubmitTransactions", request, SubmitTransactionsResponse.Parser);
        if (response.Verdicts.Count != envelopes.Count) throw new InvalidOperationException($"{response.Verdicts.Count} verdicts for {envelopes.Count} transactions");
        return response.Verdicts;
    }

    /// <summary>Committed is not accepted: sample the execution results, which must all be OK.</summary>
    private static async Task SpotCheckResults(RpcChannel channel, byte[][] envelopes, int committed)
    {
        if (committed == 0) return;
        int bad = 0, checkedCount = 0;
        for (int i = 0; i < envelopes.Length && checkedCount < 200; i += Math.Max(1, envelopes.Length / 200), checkedCount++)
        {
            await foreach (var status in channel.ServerStreamingAsync("p2pe.v1.Ledger", "WatchTransaction",
                new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(TransactionId.Of(envelopes[i]).Bytes) }, TransactionStatus.Parser,
                deadline: DateTime.UtcNow.AddSeconds(10)))
            {
                if (status.State != TransactionStatus.Types.State.Committed) continue;
                if (status.Result.Code != "OK") { bad++; Console.WriteLine($"result          {status.Result.Code}: {status.Result.Message}"); }
                break;
            }
        }
        Console.WriteLine($"spot check      {checkedCount - bad} of {checkedCount} sampled results OK");
    }

    private static async Task WaitReady(RpcChannel channel)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { await channel.UnaryAsync("p2pe.v1.Ledger", "GetNodeStatus", new GetNodeStatusRequest(), NodeStatus.Parser, DateTime.UtcNow.AddSeconds(2)); return; }
            catch (RpcException) when (attempt < 100) { await Task.Delay(200); }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
