using System.Diagnostics;
using System.Text.Json;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// A real <c>p2pe-node</c> process — the build copied next to this program, run by dotnet, or a given executable (a
/// published one: <c>load --node-binary PATH</c>) — on a temp data dir and a free loopback port, with a genesis of
/// workload's genesis (<see cref="LoadWorkload"/>).
/// </summary>
public sealed class NodeUnderLoad : IDisposable
{
    public const ulong ChainId = 777;
    private readonly Process _process;
    private readonly string? _binary;

    public string DataDir { get; }
    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public int ProcessId => _process.Id;

    /// <summary>The key of the single validator of <see cref="GenesisJson"/> when no other is given (0x…01).</summary>
    public static PrivateKey DefaultValidator { get; } = PrivateKey.Parse("0000000000000000000000000000000000000000000000000000000000000001");

    /// <summary>Initialises and starts the node; <paramref name="binary"/> replaces <c>dotnet p2pe-node.dll</c> (say, the ReadyToRun publish).</summary>
    public NodeUnderLoad(string genesisJson, int maxBlockTransactions, string? binary = null, PrivateKey? validatorKey = null,
        IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        _binary = binary is null ? null : Path.GetFullPath(binary);
        DataDir = Directory.CreateTempSubdirectory("p2pe-load-").FullName;
        Port = port ?? LoopbackPorts.Free(1)[0];
        var validator = validatorKey ?? DefaultValidator;
        var work = Directory.CreateTempSubdirectory("p2pe-load-setup-").FullName;
        File.WriteAllText(Path.Combine(work, "genesis.json"), genesisJson);
        File.WriteAllText(Path.Combine(work, "password.txt"), "load-test-password\n");
        File.WriteAllText(Path.Combine(work, "validator.key"), Hex.Encode(validator.Bytes));
        Directory.Delete(DataDir);
        RunCommand("init", "--genesis", Path.Combine(work, "genesis.json"), "--data-dir", DataDir,
            "--password-file", Path.Combine(work, "password.txt"), "--validator-key-file", Path.Combine(work, "validator.key"));
        var settings = new Dictionary<string, string> { ["P2PE_Node__MaxBlockTransactions"] = maxBlockTransactions.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) settings[name] = value;
        _process = StartCommand(settings,
            "run", "--data-dir", DataDir, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--web-port", "0", "--ops-port", "0",
            "--password-file", Path.Combine(work, "password.txt"));
    }

    /// <summary>A genesis where each pair has a meter each and the buyer a deposit large enough for any run.</summary>
    public static string GenesisJson(IReadOnlyList<(PrivateKey Seller, PrivateKey Buyer)> pairs, DateTimeOffset genesisTime, IReadOnlyList<string>? validatorAddresses = null)
    {
        var genesis = new
        {
            chainId = ChainId, marketName = "load test", genesisTime = genesisTime.ToString("O"),
            intervalSeconds = 900, gateClosureSeconds = 300, readingWindowSeconds = 3600, dsoModel = "IndependentDmo",
            utility = Key("utility").Address.ToString(), marketOperator = Key("operator").Address.ToString(),
            planner = Key("planner").Address.ToString(), regulator = Key("regulator").Address.ToString(),
            validators = (validatorAddresses ?? [DefaultValidator.Address.ToString()]).Select(a => new { address = a, power = 1, endpoint = "" }).ToArray(),
            fees = new { dmoFixedPerContract = 10, dmoPerKwh = 1000, gridAcrossSubstationsPerKwh = 1000, polrPrices = new[] { new { fromMinute = 0, sellPerKwh = 300000, buyPerKwh = 50000 } } },
            participants = pairs.SelectMany((p, i) => new object[]
            {
                new { address = p.Seller.Address.ToString(), role = "Producer", name = $"seller-{i}", deposit = 0UL },
                new { address = p.Buyer.Address.ToString(), role = "Consumer", name = $"buyer-{i}", deposit = 1_000_000_000_000_000UL },
            }).ToArray(),
            meters = pairs.SelectMany((p, i) => new object[]
            {
                new { meter = $"S{i}", owner = p.Seller.Address.ToString(), gridNode = $"SP-S{i}", device = p.Seller.Address.ToString(), importLimitW = 100_000_000_000, exportLimitW = 100_000_000_000 },
                new { meter = $"B{i}", owner = p.Buyer.Address.ToString(), gridNode = $"SP-B{i}", device = p.Buyer.Address.ToString(), importLimitW = 100_000_000_000, exportLimitW = 100_000_000_000 },
            }).ToArray(),
        };
        return JsonSerializer.Serialize(genesis);
    }

    /// <summary>Signed EnergyContract envelopes round-robin over the pairs, distinct nonces, for an interval a day ahead.</summary>
    public static byte[][] SignContracts(IReadOnlyList<(PrivateKey Seller, PrivateKey Buyer)> pairs, int count, ulong firstNonce = 1)
    {
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ulong start = (now / 900 + 96) * 900;
        var envelopes = new byte[count][];
        Parallel.For(0, count, i =>
        {
            int pair = i % pairs.Count;
            var (seller, buyer) = pairs[pair];
            var terms = new Contracts.Protos.EnergyContract
            {
                Seller = Google.Protobuf.ByteString.CopyFrom(seller.Address.Bytes), Buyer = Google.Protobuf.ByteString.CopyFrom(buyer.Address.Bytes),
                SellerMeter = $"S{pair}", BuyerMeter = $"B{pair}", IntervalStart = start, IntervalCount = 4,
                WhPerInterval = 500, PricePerKwh = 150_000, Nonce = firstNonce + (ulong)i, ValidUntil = now + 86_400,
            };
            var digest = Contracts.TypedData.LedgerTypedData.Digest(terms, ChainId);
            var tx = new Contracts.Protos.Transaction { ChainId = ChainId, EnergyContract = terms };
            tx.Signatures.Add(Google.Protobuf.ByteString.CopyFrom(seller.Sign(digest).Bytes));
            tx.Signatures.Add(Google.Protobuf.ByteString.CopyFrom(buyer.Sign(digest).Bytes));
            envelopes[i] = Google.Protobuf.MessageExtensions.ToByteArray(tx);
        });
        return envelopes;
    }

    public static PrivateKey Key(string name) => new(Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes("load/" + name)).Bytes);

    /// <summary>Resident set size now and at its peak (VmHWM), from /proc.</summary>
    public (long RssBytes, long PeakRssBytes) Memory()
    {
        var kib = ProcFields("status", "VmRSS:", "VmHWM:");
        return (kib[0] * 1024, kib[1] * 1024);
    }

    /// <summary>
    /// Bytes the node process has written so far, from /proc/pid/io: through write calls (<c>wchar</c>: SQLite's WAL
    /// frames and checkpoints, the consensus WAL, logs; what the kernel copies into the page cache) and to the block
    /// device (<c>write_bytes</c>: what writeback sent on, which lags the calls).
    /// </summary>
    public (long Written, long ToDisk) WrittenBytes()
    {
        var bytes = ProcFields("io", "wchar:", "write_bytes:");
        return (bytes[0], bytes[1]);
    }

    // The number after each named field ("VmRSS:   1234 kB", "wchar: 5678") of the node's /proc/<pid>/<file>, in one read.
    private long[] ProcFields(string file, params string[] fields)
    {
        var values = new long[fields.Length];
        var found = new bool[fields.Length];
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/{file}"))
        {
            int i = Array.FindIndex(fields, f => line.StartsWith(f, StringComparison.Ordinal));
            if (i < 0) continue;
            values[i] = long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            found[i] = true;
        }
        int missing = Array.IndexOf(found, false);
        if (missing >= 0) throw new InvalidOperationException($"/proc/{_process.Id}/{file} has no field {fields[missing]}");
        return values;
    }

    /// <summary>CPU time (user + system) the node process has used so far, from /proc/pid/stat.</summary>
    public TimeSpan CpuTime()
    {
        return TimeSpan.FromMilliseconds(StatTicks(File.ReadAllText($"/proc/{_process.Id}/stat")) * 10);
    }

    /// <summary>
    /// CPU time (user + system) so far of each of the runtime's background tiered-compilation threads (".NET Tiered Com"),
    /// by thread id. They recompile hot methods at higher tiers (instrumented, then optimised with profile data); with
    /// several processes on two cores they stay busy well past the first 30,000 transactions, so the load run warms up
    /// until they are quiet — steady state is what a node that runs for months sees. (The runtime meter's
    /// dotnet.jit.compilation.time is elapsed time, inflated by preemption on a busy box, so it cannot be compared with
    /// the CPU the node used.) The runtime ends such a thread after it has been idle for a while and starts another
    /// later, so a phase's JIT time is a per-thread difference (<see cref="TieringCpuSince"/>).
    /// </summary>
    public Dictionary<int, long> TieringCpuTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal)) continue;
                ticks[int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture)] = StatTicks(File.ReadAllText(Path.Combine(task, "stat")));
            }
            catch (IOException) { } // the thread exited between listing and reading
        }
        return ticks;
    }

    /// <summary>
    /// The tiering threads' CPU since <paramref name="before"/> (<see cref="TieringCpuTicks"/>): each live thread's
    /// growth, a new thread's whole time. A thread that ended meanwhile had been idle before it ended; what it did in
    /// the phase before going idle is not counted, so this can only undercount.
    /// </summary>
    public TimeSpan TieringCpuSince(Dictionary<int, long> before)
        => TimeSpan.FromMilliseconds(10 * TieringCpuTicks().Sum(t => t.Value - Math.Min(t.Value, before.GetValueOrDefault(t.Key))));

    // utime + stime, fields 14 and 15 of /proc/.../stat after the parenthesised command name, in USER_HZ (100) ticks.
    private static long StatTicks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string NodeDll => Path.Combine(AppContext.BaseDirectory, "p2pe-node.dll");

    /// <summary>Bytes of the ledger on disk (ledger.db and its write-ahead log).</summary>
    public long LedgerBytes => new[] { "ledger.db", "ledger.db-wal" }.Select(f => Path.Combine(DataDir, f)).Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private void RunCommand(params string[] args)
    {
        using var process = StartCommand(null, args);
        if (!process.WaitForExit(60_000)) { process.Kill(true); throw new TimeoutException("p2pe-node " + args[0] + " did not finish"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"p2pe-node {args[0]} exited {process.ExitCode}: {process.StandardError.ReadToEnd()}");
    }

    private Process StartCommand(Dictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(_binary ?? "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (_binary is null) info.ArgumentList.Add(NodeDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["P2PE_Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? []) info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start p2pe-node");
        // The node logs to its console (stdout): a running node's warnings (a lost round says why) go to stderr with
        // its own; a command's output is not wanted.
        bool running = args[0] == "run";
        process.OutputDataReceived += (_, e) => { if (running && e.Data is not null) Console.Error.WriteLine("node: " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("node: " + e.Data); };
        process.BeginOutputReadLine();
        if (args[0] == "run") process.BeginErrorReadLine();
        return process;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
