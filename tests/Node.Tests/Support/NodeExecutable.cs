using System.Diagnostics;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// The built <c>p2pe-node</c> (the test project references src/Node, so p2pe-node.dll sits next to the test
/// assembly) and how to launch it as a separate OS process: <c>dotnet p2pe-node.dll …</c>.
/// </summary>
public static class NodeExecutable
{
    /// <summary>The node's entry assembly in the test output directory.</summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "p2pe-node.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build tests/Node.Tests, which references src/Node", path);
        }
    }

    /// <summary>
    /// The dotnet host that runs the tests (DOTNET_HOST_PATH under dotnet test, else this process when it is
    /// dotnet), so the node runs on the same runtime; the apphost would need DOTNET_ROOT to find it.
    /// </summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }

    /// <summary>
    /// A start for <c>p2pe-node <paramref name="arguments"/></c> in <paramref name="workingDirectory"/> (where
    /// the node looks for appsettings.json), with stdout and stderr redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Node settings bind from P2PE_* variables; one left in the test runner's environment (a developer's
        // P2PE_Node__Port, say) must not change what the test starts.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("P2PE_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    /// <summary>
    /// Runs a command that ends by itself (init, verify) and returns its exit code and combined output. Killed
    /// (whole tree) when it outlives <paramref name="timeout"/>, which then fails with the output so far.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var (exitCode, output, error) = await RunSeparatelyAsync(arguments, workingDirectory, timeout);
        return (exitCode, output + error);
    }

    /// <summary>As <see cref="RunAsync"/>, with stdout and stderr apart (what an operator's terminal shows as the error).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunSeparatelyAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new System.Text.StringBuilder();
        var error = new System.Text.StringBuilder();
        var start = StartInfo(arguments, workingDirectory);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) error.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            lock (output) throw new TimeoutException($"p2pe-node {string.Join(' ', arguments)} did not finish within {timeout}; output:\n{output}{error}");
        }
        process.WaitForExit(); // the parameterless wait drains the redirected output
        lock (output) return (process.ExitCode, output.ToString(), error.ToString());
    }
}
