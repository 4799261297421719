using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Benchmarks.Load;

namespace P2PEnergy.Benchmarks.Storage;

/// <summary>
/// The ledger store's commit alone, per contract: blocks of signed contracts are executed once, then committed into
/// fresh stores <c>--rounds</c> times, and each round reports the committing thread's CPU, the bytes it wrote through
/// syscalls, and what the file holds per contract, table by table (SQLite's dbstat).
/// <c>dotnet run -c Release --project tests/Benchmarks -- store-commit [--blocks N] [--block-size M] [--rounds R]</c>
/// </summary>
public static class StoreCommitCost
{
    private sealed record Committed(Block Block, Hash32 Hash, IReadOnlyList<TransactionResult> Results, IReadOnlyList<StateChange> Changes, Hash32 AppHash);

    public static int Run(string[] args)
    {
        int blocks = CommandLineArgs.Int(args, "--blocks", 6), size = CommandLineArgs.Int(args, "--block-size", 5_000);
        int rounds = CommandLineArgs.Int(args, "--rounds", 3), pairs = 50;
        var recoverUs = 1e6 / RecoverCeiling.RecoversPerSecond(TimeSpan.FromSeconds(2)) * Environment.ProcessorCount;
        var directory = Directory.CreateTempSubdirectory("p2pe-store-commit-").FullName;
        try
        {
            var keys = Enumerable.Range(0, pairs).Select(i => (NodeUnderLoad.Key($"seller-{i}"), NodeUnderLoad.Key($"buyer-{i}"))).ToList();
            var genesis = GenesisDocument.Parse(NodeUnderLoad.GenesisJson(keys, DateTimeOffset.UtcNow.AddSeconds(-5)));
            var (genesisChanges, genesisAppHash) = GenesisState.Build(genesis);
            var chain = Produce(Path.Combine(directory, "source.db"), genesis, genesisChanges, genesisAppHash, keys, blocks, size);
            Console.WriteLine($"store-commit: {blocks} blocks × {size:N0} contracts; one native recover = {recoverUs:F1} µs (one core, same run)");
            for (int round = 0; round < rounds; round++)
            {
                var path = Path.Combine(directory, $"round-{round}.db");
                long cpu = 0, written = 0;
                var perBlock = new List<string>();
                GC.Collect();
                using (var store = SqliteLedgerStore.Open(path))
                {
                    store.InitializeGenesis(Hash32.Zero, genesisChanges, genesisAppHash);
                    foreach (var c in chain)
                    {
                        long w = ThreadWrittenBytes(), t = BlockPipeline.ThreadCpuNs();
                        store.Commit(c.Block, c.Hash, c.Results, c.Changes, c.AppHash);
                        cpu += BlockPipeline.ThreadCpuNs() - t;
                        written += ThreadWrittenBytes() - w;
                        perBlock.Add($"{(ThreadWrittenBytes() - w) >> 10:N0}");
                    }
                }
                int n = blocks * size;
                Console.WriteLine($"round {round}: commit thread CPU {cpu / 1e3 / n,6:F1} µs/contract ({cpu / 1e3 / n / recoverUs:F2} recovers), " +
                    $"written {written / n,6:N0} B/contract, ledger.db {new FileInfo(path).Length / n:N0} B/contract");
                if (round == rounds - 1)
                {
                    Console.WriteLine("KiB written by each commit: " + string.Join(" ", perBlock));
                    PrintTables(path, n);
                }
            }
            return 0;
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    private static List<Committed> Produce(string path, GenesisDocument genesis, IReadOnlyList<StateChange> genesisChanges, Hash32 genesisAppHash,
        IReadOnlyList<(PrivateKey, PrivateKey)> keys, int blocks, int size)
    {
        using var store = SqliteLedgerStore.Open(path);
        store.InitializeGenesis(Hash32.Zero, genesisChanges, genesisAppHash);
        var parameters = genesis.ToParameters();
        var verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        var executor = new BlockExecutor(parameters, verifier, new UnmodelledGrid());
        long time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var chain = new List<Committed>();
        for (int b = 0; b < blocks; b++)
        {
            var envelopes = NodeUnderLoad.SignContracts(keys, size, firstNonce: (ulong)b * (ulong)size + 1);
            var verified = envelopes.Select(e => verifier.Verify(e)).ToList();
            var execution = executor.Execute(store, store.AppHash, store.Height + 1, time + b, verified.Select(v => (v.Bytes, (VerifiedTransaction?)v)).ToList());
            var block = Load.BlockPipeline.BlockOf(parameters.ChainId, store, time + b, envelopes, verified, execution);
            var committed = new Committed(block, BlockHeaderHashing.Hash(block.Header), execution.Results, execution.Changes, execution.AppHash);
            store.Commit(committed.Block, committed.Hash, committed.Results, committed.Changes, committed.AppHash);
            chain.Add(committed);
        }
        return chain;
    }

    /// <summary>Bytes per contract of every table and index (dbstat), after a full checkpoint.</summary>
    private static void PrintTables(string path, int n)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
        connection.Close();
        // The bundled SQLite has no dbstat table; the sqlite3 shell (Debian's) has.
        const string Query = "SELECT name, count(*), sum(pgsize), sum(payload), sum(ncell) FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC";
        try
        {
            using var shell = Process.Start(new ProcessStartInfo("sqlite3", ["-readonly", "-separator", " ", path, Query]) { RedirectStandardOutput = true })!;
            var lines = shell.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            shell.WaitForExit();
            Console.WriteLine($"{"table or index",-28} {"pages",8} {"B/contract",11} {"payload B/contract",19} {"cells/contract",15}");
            foreach (var line in lines)
            {
                var f = line.Split(' ');
                double Per(int i) => long.Parse(f[i], System.Globalization.CultureInfo.InvariantCulture) / (double)n;
                Console.WriteLine($"{f[0],-28} {long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),8:N0} {Per(2),11:F0} {Per(3),19:F0} {Per(4),15:F2}");
            }
        }
        catch (System.ComponentModel.Win32Exception e) { Console.WriteLine($"no sqlite3 shell for dbstat: {e.Message}"); }
    }

    /// <summary>Bytes the calling thread passed to write syscalls (wchar of /proc/thread-self/io); 0 where unavailable.</summary>
    private static long ThreadWrittenBytes()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        foreach (var line in File.ReadLines("/proc/thread-self/io"))
            if (line.StartsWith("wchar:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(6).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }
}
