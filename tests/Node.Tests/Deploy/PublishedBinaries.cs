using System.Diagnostics;
using System.Text;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Deploy;

/// <summary>
/// What an operator installs, built once per test run for the tests that need it: <c>p2pe-node</c> published with the
/// repository's profile (self-contained linux-x64, ReadyToRun), and <c>p2pe</c> packed as a .NET tool. Each build has
/// its own artifacts path under a temp directory, so it never touches the Debug build the tests run from, and each is
/// bounded in time (publishing runs crossgen over every assembly: minutes on a loaded 2-core box). The builds run at
/// the lowest CPU priority (nice 19) and without build servers: the other test projects run meanwhile, with nodes whose
/// start-up and stop limits a full-speed crossgen on both cores once pushed past a minute; and a compiler server left
/// behind would outlive the test run.
/// </summary>
public sealed class PublishedBinaries : IAsyncLifetime
{
    public const string Collection = "published binaries";
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(12);
    private readonly SemaphoreSlim _packGate = new(1, 1);
    private string? _walletPackages;

    public string Root { get; } = Directory.CreateTempSubdirectory("p2pe-published-").FullName;

    /// <summary>The published node's executable (the apphost: no dotnet in front of it).</summary>
    public string Node => Path.Combine(Root, "node", "p2pe-node");

    public async Task InitializeAsync()
    {
        string repo = RepositoryRoot.Path ?? throw new InvalidOperationException("the published-binary tests run inside the checkout");
        await DotnetAsync(BuildLimit, "publish", Path.Combine(repo, "src", "Node"), "-p:PublishProfile=linux-x64",
            $"-p:PublishDir={Path.Combine(Root, "node")}/", "--artifacts-path", Path.Combine(Root, "build-node"), "-nologo");
        if (!File.Exists(Node)) throw new FileNotFoundException($"dotnet publish left no {Node}");
    }

    /// <summary>The folder holding the wallet's tool package (<c>dotnet pack src/Wallet</c>), packed on first use.</summary>
    public async Task<string> WalletPackagesAsync()
    {
        await _packGate.WaitAsync();
        try
        {
            if (_walletPackages is not null) return _walletPackages;
            string output = Path.Combine(Root, "nupkg");
            await DotnetAsync(BuildLimit, "pack", Path.Combine(RepositoryRoot.Path!, "src", "Wallet"), "-c", "Release", "-o", output,
                "--artifacts-path", Path.Combine(Root, "build-wallet"), "-nologo");
            return _walletPackages = output;
        }
        finally { _packGate.Release(); }
    }

    /// <summary>Runs <c>dotnet ARGS</c> at nice 19; fails with its output when it exits non-zero or outlives <paramref name="limit"/>.</summary>
    public static async Task<string> DotnetAsync(TimeSpan limit, params string[] arguments)
    {
        string[] build = arguments[0] is "publish" or "pack" ? [.. arguments, "--disable-build-servers", "-nodeReuse:false"] : arguments;
        var (exit, output) = File.Exists("/usr/bin/nice")
            ? await RunAsync("/usr/bin/nice", ["-n", "19", NodeExecutable.DotnetHost, .. build], limit)
            : await RunAsync(NodeExecutable.DotnetHost, build, limit);
        return exit == 0 ? output : throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} exited {exit}:\n{output}");
    }

    /// <summary>Runs a program to its end (killed with its tree past <paramref name="limit"/>); exit code and combined output.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("P2PE_", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(limit);
        try { await process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            lock (output) throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran over {limit}:\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* best effort on a temp dir */ }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(PublishedBinaries.Collection)]
public sealed class PublishedBinariesCollection : ICollectionFixture<PublishedBinaries>;
