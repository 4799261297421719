using System.Diagnostics;

namespace P2PEnergy.Contracts.Tests.Interop;

/// <summary>Runs a Node.js script of tests/interop with a bounded time, killing the whole process tree on overrun.</summary>
public static class NodeScript
{
    /// <summary>tests/interop, or null outside a checkout.</summary>
    public static string? InteropDirectory => RepoRoot.TryFind() is { } root ? Path.Combine(root, "tests", "interop") : null;

    /// <summary>Why the interop scripts cannot run here, or null when they can.</summary>
    public static string? MissingReason()
    {
        if (FindOnPath("node") is null) return "Node.js interop test skipped: `node` is not on PATH";
        if (InteropDirectory is not { } dir) return $"Node.js interop test skipped: no P2PEnergy.sln above {AppContext.BaseDirectory}";
        // ethers is the package these scripts need; its presence means `npm install` ran against package-lock.json.
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "ethers")))
            return $"Node.js interop test skipped: {Path.Combine(dir, "node_modules")} is missing; run `npm ci` in tests/interop";
        return null;
    }

    /// <summary>Runs <c>node script args…</c> in tests/interop and returns stdout; throws with stderr on a non-zero exit or timeout.</summary>
    public static string Run(string script, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropDirectory ?? throw new InvalidOperationException(MissingReason()),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        // Both pipes are drained concurrently: a child blocked on a full stderr pipe would never exit.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"node {script} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s and was killed; stderr: {stderr.Result}");
        }
        process.WaitForExit(); // flushes the redirected streams after the timed wait
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node {script} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? program + ".exe" : program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
