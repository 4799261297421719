using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Runtime.InteropServices;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// The door's cost per contract, in process on one thread: <see cref="Mempool.Submit(IReadOnlyList{byte[]}, bool)"/>
/// (verify, expiry, committed-duplicate lookup, signer rules, enqueue) over signed contracts, in µs and allocated bytes
/// per contract, with the native recoveries and without them (their results replayed, so what is left is everything
/// else the door does). <c>dotnet run -c Release --project tests/Benchmarks -- door [--contracts N] [--rounds R]</c>
/// </summary>
public static class DoorCost
{
    public static int Run(string[] args)
    {
        int contracts = CommandLineArgs.Int(args, "--contracts", 20_000), rounds = CommandLineArgs.Int(args, "--rounds", 5), pairs = 50;
        bool replayOnly = args.Contains("--replay-only"); // for a profiler: only the door's own work
        var native = Secp256k1.TryNative(out var reason) ?? throw new InvalidOperationException(reason);
        var directory = Directory.CreateTempSubdirectory("p2pe-door-").FullName;
        try
        {
            var (store, parameters, keys) = OpenGenesis(directory, pairs);
            using var _ = store;
            var envelopes = NodeUnderLoad.SignContracts(keys, contracts);
            var replay = new ReplayedRecoveries(native);
            long time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var withRecover = new Mempool(new TransactionVerifier(parameters.ChainId, native), parameters, store, () => time, maxTransactions: contracts);
            var withoutRecover = new Mempool(new TransactionVerifier(parameters.ChainId, replay), parameters, store, () => time, maxTransactions: contracts);
            Console.WriteLine($"door: {contracts:N0} contracts per round, {rounds} rounds, one thread, batches of 100");
            Measure(withoutRecover, envelopes); // records the recoveries to replay, and warms the JIT
            if (args.Contains("--alloc-types"))
            {
                // The runtime's allocation sampling (one event per ≈100 KB allocated, naming the type): where the bytes go.
                using var sampler = new AllocationSampler();
                Measure(withoutRecover, envelopes);
                foreach (var (type, kb) in sampler.ByType.OrderByDescending(t => t.Value).Take(25))
                    Console.WriteLine($"  {kb * 1000.0 / contracts,8:F0} B/contract  {type}");
            }
            for (int round = 0; round < rounds; round++)
            {
                var (nativeUs, nativeBytes) = replayOnly ? (double.NaN, double.NaN) : Measure(withRecover, envelopes);
                var (replayUs, replayBytes) = Measure(withoutRecover, envelopes);
                Console.WriteLine($"round {round}: door with recovers {nativeUs,7:F2} µs CPU/contract {nativeBytes,7:N0} B/contract; " +
                    $"without recovers {replayUs,6:F2} µs CPU/contract {replayBytes,7:N0} B/contract");
            }
            return 0;
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    /// <summary>A SQLite ledger at the load generator's genesis of <paramref name="pairs"/> trading pairs, and their keys.</summary>
    internal static (SqliteLedgerStore Store, ChainParameters Parameters, List<(PrivateKey Seller, PrivateKey Buyer)> Keys) OpenGenesis(string directory, int pairs)
    {
        var keys = Enumerable.Range(0, pairs).Select(i => (NodeUnderLoad.Key($"seller-{i}"), NodeUnderLoad.Key($"buyer-{i}"))).ToList();
        var genesis = GenesisDocument.Parse(NodeUnderLoad.GenesisJson(keys, DateTimeOffset.UtcNow.AddSeconds(-5)));
        var (changes, appHash) = GenesisState.Build(genesis);
        var store = SqliteLedgerStore.Open(Path.Combine(directory, "ledger.db"));
        store.InitializeGenesis(Hash32.Zero, changes, appHash);
        return (store, genesis.ToParameters(), keys);
    }

    private static (double Us, double Bytes) Measure(Mempool mempool, byte[][] envelopes)
    {
        GC.Collect();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        // Process CPU time (this thread, the GC's and the JIT's), not wall time: the box is shared.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var ids = new List<Hash32>(envelopes.Length);
        for (int at = 0; at < envelopes.Length; at += 100)
        {
            var batch = new ArraySegment<byte[]>(envelopes, at, Math.Min(100, envelopes.Length - at));
            foreach (var verdict in mempool.Submit(batch))
            {
                if (!verdict.Accepted) throw new InvalidOperationException($"{verdict.Code}: {verdict.Message}");
                ids.Add(verdict.TransactionId);
            }
        }
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        long bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        mempool.Remove(ids);
        return (used.TotalMicroseconds / envelopes.Length, (double)bytes / envelopes.Length);
    }

    private sealed class AllocationSampler : EventListener
    {
        public Dictionary<string, double> ByType { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
            var type = (string?)e.Payload[e.PayloadNames!.IndexOf("TypeName")] ?? "?";
            lock (ByType) ByType[type] = ByType.GetValueOrDefault(type) + 100; // KB per tick
        }
    }

    /// <summary>
    /// Native secp256k1 whose recoveries are done once and replayed (looked up by r): the door's other work measured
    /// without the recoveries' 2 × ≈ 63 µs and their noise.
    /// </summary>
    private sealed class ReplayedRecoveries(ISecp256k1 inner) : ISecp256k1
    {
        private readonly Dictionary<UInt128, byte[]> _recovered = new();

        public string Name => "replayed " + inner.Name;
        public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32) => inner.Sign(digest32, privateKey32);
        public byte[] PublicKey(ReadOnlySpan<byte> privateKey32) => inner.PublicKey(privateKey32);
        public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64) => inner.Verify(digest32, signature, publicKey64);

        public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
        {
            var key = MemoryMarshal.Read<UInt128>(signature.R);
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_recovered, key, out bool exists);
            if (!exists) known = inner.RecoverPublicKey(digest32, signature);
            return known!;
        }
    }
}
