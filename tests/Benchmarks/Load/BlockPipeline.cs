using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// The single-threaded part of committing contracts, in process: verify (signature recovery), execute against a
/// SQLite store, and the store's atomic commit, each per contract and as a ratio to one native recover measured
/// in the same run. <c>dotnet run -c Release --project tests/Benchmarks -- pipeline [--blocks N] [--block-size M]
/// [--warm-up W] [--alloc-types]</c>. The first W blocks (default 4) run the same way unmeasured, so the tiered JIT has
/// compiled the per-contract paths before the measured ones; <c>--alloc-types</c> adds the types execution allocates,
/// sampled (see <see cref="AllocationSampler"/>).
/// </summary>
public static class BlockPipeline
{
    public static int Run(string[] args)
    {
        int blocks = CommandLineArgs.Int(args, "--blocks", 6), size = CommandLineArgs.Int(args, "--block-size", 5_000), pairs = 50;
        int warmUp = CommandLineArgs.Int(args, "--warm-up", 4);
        var recoverUs = 1e6 / RecoverCeiling.RecoversPerSecond(TimeSpan.FromSeconds(2)) * Environment.ProcessorCount;
        var directory = Directory.CreateTempSubdirectory("p2pe-pipeline-").FullName;
        try
        {
            var keys = Enumerable.Range(0, pairs).Select(i => (NodeUnderLoad.Key($"seller-{i}"), NodeUnderLoad.Key($"buyer-{i}"))).ToList();
            var genesis = GenesisDocument.Parse(NodeUnderLoad.GenesisJson(keys, DateTimeOffset.UtcNow.AddSeconds(-5)));
            var (changes, appHash) = GenesisState.Build(genesis);
            using var store = SqliteLedgerStore.Open(Path.Combine(directory, "ledger.db"));
            store.InitializeGenesis(Hash32.Zero, changes, appHash);
            var parameters = genesis.ToParameters();
            var verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
            var executor = new BlockExecutor(parameters, verifier, new UnmodelledGrid());
            var state = new Node.ProcessState.CommittedStateCache(store); // as the ledger application reads
            long verifyTicks = 0, executeTicks = 0, commitTicks = 0, executeCpuNs = 0, commitCpuNs = 0, executeBytes = 0;
            long time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var sampler = args.Contains("--alloc-types") ? new AllocationSampler() : null;
            for (int b = 0; b < warmUp + blocks; b++)
            {
                if (b == warmUp)
                {
                    verifyTicks = executeTicks = commitTicks = executeCpuNs = commitCpuNs = executeBytes = 0;
                    sampler?.Clear();
                }
                var envelopes = NodeUnderLoad.SignContracts(keys, size, firstNonce: (ulong)b * (ulong)size + 1);
                var clock = Stopwatch.StartNew();
                var verified = envelopes.Select(e => verifier.Verify(e)).ToList();
                verifyTicks += clock.ElapsedTicks;
                clock.Restart();
                sampler?.Resume();
                long cpu = ThreadCpuNs(), allocated = GC.GetAllocatedBytesForCurrentThread();
                var execution = executor.Execute(state, store.AppHash, store.Height + 1, time + b, verified.Select(v => (v.Bytes, (VerifiedTransaction?)v)).ToList());
                executeTicks += clock.ElapsedTicks;
                executeCpuNs += ThreadCpuNs() - cpu;
                executeBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                sampler?.Pause();
                var block = BlockOf(parameters.ChainId, store, time + b, envelopes, verified, execution);
                clock.Restart();
                cpu = ThreadCpuNs();
                store.Commit(block, BlockHeaderHashing.Hash(block.Header), execution.Results, execution.Changes, execution.AppHash);
                state.Apply(execution.Changes);
                commitTicks += clock.ElapsedTicks;
                commitCpuNs += ThreadCpuNs() - cpu;
            }
            int n = blocks * size;
            double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency / n;
            Console.WriteLine($"pipeline: {blocks} blocks × {size:N0} contracts after {warmUp} unmeasured; one native recover = {recoverUs:F1} µs (one core, same run)");
            Console.WriteLine($"verify (2 recovers + digest)  {Us(verifyTicks),8:F1} µs/contract  ({Us(verifyTicks) / recoverUs:F2} recovers)");
            Console.WriteLine($"execute                       {Us(executeTicks),8:F1} µs/contract  ({Us(executeTicks) / recoverUs:F2} recovers)");
            Console.WriteLine($"store commit                  {Us(commitTicks),8:F1} µs/contract  ({Us(commitTicks) / recoverUs:F2} recovers)");
            Console.WriteLine($"thread CPU: execute {executeCpuNs / 1e3 / n:F1} + commit {commitCpuNs / 1e3 / n:F1} = {(executeCpuNs + commitCpuNs) / 1e3 / n:F1} µs/contract (the calling thread only: steadier than wall time on a shared box)");
            Console.WriteLine($"execute allocates {executeBytes / n:N0} B/contract (the calling thread)");
            sampler?.Print(Console.Out, 25);
            Console.WriteLine($"consensus thread (exec+commit) {1e6 / (Us(executeTicks) + Us(commitTicks)),7:N0} contracts/s ceiling");
            return 0;
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    /// <summary>The block of <paramref name="envelopes"/> on top of <paramref name="store"/>'s tip, after checking every result is OK.</summary>
    internal static Block BlockOf(ulong chainId, SqliteLedgerStore store, long timeMs, byte[][] envelopes,
        IReadOnlyList<VerifiedTransaction> verified, BlockExecution execution)
    {
        if (execution.Results.Any(r => r.Code != ReasonCodes.Ok)) throw new InvalidOperationException(execution.Results.First(r => r.Code != ReasonCodes.Ok).Message);
        var header = new BlockHeader
        {
            ChainId = chainId, Height = store.Height + 1, TimeMs = timeMs, PreviousHash = ByteString.CopyFrom(store.LastBlockHash.Bytes),
            TransactionsRoot = ByteString.CopyFrom(MerkleRoot.Compute(verified.Select(v => v.Id).ToList()).Bytes),
            AppHash = ByteString.CopyFrom(execution.AppHash.Bytes), Proposer = ByteString.CopyFrom(new byte[20]), ValidatorSetHash = ByteString.CopyFrom(new byte[32]),
            NextValidatorSetHash = ByteString.CopyFrom(new byte[32]),
        };
        var block = new Block { Header = header };
        block.Transactions.AddRange(envelopes.Select(ByteString.CopyFrom));
        return block;
    }

    /// <summary>CPU time the calling thread has used (Linux CLOCK_THREAD_CPUTIME_ID), in ns; 0 where unavailable.</summary>
    internal static long ThreadCpuNs()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        return clock_gettime(3, out var time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
