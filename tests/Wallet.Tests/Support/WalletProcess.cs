using P2PEnergy.Node.Tests.Support;
using System.Diagnostics;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Support;

/// <summary>
/// The real <c>p2pe</c> binary (p2pe.dll in the wallet's own build output, as a user runs it) run as its own process with <c>dotnet</c>, a
/// given P2PE_HOME and password, stdin closed (no terminal), bounded in time and killed with its tree on overrun.
/// </summary>
internal sealed class WalletProcess(string home, string password)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    public static string Dll
    {
        get
        {
            // Not the copy next to the test assembly: that folder is resolved for the node (ASP.NET Core), which drops the
            // logging package the wallet needs on Microsoft.NETCore.App alone. The wallet's own output has all it needs.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var root = RepositoryRoot.Path ?? throw new DirectoryNotFoundException($"no checkout above {AppContext.BaseDirectory}");
            var path = Path.Combine(root, "src", "Wallet", "bin", configuration, "net10.0", "p2pe.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: tests/Wallet.Tests references src/Wallet, so building the tests builds it", path);
        }
    }

    public async Task<(int Exit, string Out, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(NodeExecutable.DotnetHost)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("P2PE_", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(name);
        start.Environment["P2PE_HOME"] = home;
        start.Environment["P2PE_PASSWORD"] = password;
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"p2pe {string.Join(' ', arguments)} did not finish within {Limit}; stderr: {await stderr}");
        }
        return (process.ExitCode, (await stdout).TrimEnd(), (await stderr).TrimEnd());
    }

    /// <summary>Runs and asserts exit 0, returning stdout.</summary>
    public async Task<string> OkAsync(params string[] arguments)
    {
        var (exit, output, error) = await RunAsync(arguments);
        Assert.True(exit == 0, $"p2pe {string.Join(' ', arguments)} exited {exit}: {error}\n{output}");
        return output;
    }
}
