using System.Diagnostics;
using System.Globalization;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Deploy;

/// <summary>
/// deploy/systemd/p2pe-node.service is a unit systemd accepts (systemd-analyze verify: no error and no warning), with
/// the hardening and limits issue 16 asks for, and restart rules that agree with the node's exit codes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SystemdUnitTests
{
    private static readonly string UnitFile = Path.Combine(RepositoryRoot.Path!, "deploy", "systemd", "p2pe-node.service");

    private static Dictionary<string, string> Service()
    {
        var service = new Dictionary<string, string>(StringComparer.Ordinal);
        string? section = null;
        foreach (var raw in File.ReadAllLines(UnitFile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('[')) { section = line; continue; }
            if (section != "[Service]") continue;
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            service[line[..equals]] = line[(equals + 1)..];
        }
        return service;
    }

    [Fact]
    public void Unit_RunsTheNodeAsItsOwnUser_ReadOnlyButTheDataDirectory_WithCapSysNiceAndLimits()
    {
        var service = Service();
        Assert.Equal("p2pe", service["User"]);
        Assert.Equal("strict", service["ProtectSystem"]);
        Assert.Equal("true", service["NoNewPrivileges"]);
        Assert.Equal("CAP_SYS_NICE", service["AmbientCapabilities"]);
        Assert.Equal("on-failure", service["Restart"]);
        Assert.True(int.Parse(service["LimitNOFILE"], CultureInfo.InvariantCulture) >= 65536);
        // The data directory ExecStart names is the one path the node may write.
        var exec = service["ExecStart"].Split(' ');
        string dataDir = exec[Array.IndexOf(exec, "--data-dir") + 1];
        Assert.Equal(dataDir, service["ReadWritePaths"]);
        Assert.Equal("run", exec[1]);
        // systemd waits longer than the node's own grace before SIGKILL.
        Assert.True(int.Parse(service["TimeoutStopSec"], CultureInfo.InvariantCulture) * 1000 > new NodeOptions().ShutdownGraceMs * 5);
        // Codes an operator must fix are not restarted; a crash (any other failure) is.
        var noRestart = service["RestartPreventExitStatus"].Split(' ').Select(int.Parse).Order().ToArray();
        Assert.Equal(new[] { NodeExitCode.SetupError, NodeExitCode.DataDirectoryInUse, NodeExitCode.AddressInUse, NodeExitCode.BadSetting }.Order().ToArray(), noRestart);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task SystemdAnalyzeVerify_AcceptsTheUnit_WithoutAWarning()
    {
        Assert.True(File.Exists("/usr/bin/systemd-analyze") || File.Exists("/bin/systemd-analyze"),
            "systemd-analyze is missing: .ci/run installs Debian's systemd package (apt-get install systemd)");
        var dir = Directory.CreateTempSubdirectory("p2pe-unit-");
        try
        {
            // verify checks that ExecStart's program exists and is executable: point it at one the test creates.
            string binary = Path.Combine(dir.FullName, "p2pe-node");
            File.WriteAllText(binary, "#!/bin/sh\n");
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string unit = Path.Combine(dir.FullName, "p2pe-node.service");
            File.WriteAllText(unit, File.ReadAllText(UnitFile).Replace("/opt/p2pe-node/p2pe-node", binary, StringComparison.Ordinal));

            var (exit, output) = await RunAsync("systemd-analyze", "verify", unit);
            Assert.True(exit == 0 && output.Length == 0, $"systemd-analyze verify exited {exit}:\n{output}");

            // The negative control: a misspelt directive is a warning the assertion above would catch.
            File.WriteAllText(unit, File.ReadAllText(unit).Replace("ProtectSystem=", "ProtectSytem=", StringComparison.Ordinal));
            Assert.Contains("Unknown key", (await RunAsync("systemd-analyze", "verify", unit)).Output);
        }
        finally { dir.Delete(recursive: true); }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, (await output + await error).Trim());
    }
}
