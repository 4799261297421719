using System.Diagnostics;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Wallet.Tests.Integration;

/// <summary>
/// Issue 17: the README's setup works on a fresh Debian box as root — <c>.ci/setup</c> (which the README runs and
/// <c>.ci/run</c> calls) keeps a Node.js that is already installed instead of pulling Debian's npm over it, installs
/// Node.js only when asked and none is present, and the README's commands carry no <c>sudo</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SetupScriptTests : IDisposable
{
    private readonly string _bin = Path.Combine(Path.GetTempPath(), "p2pe-setup-" + Guid.NewGuid().ToString("N"));
    private readonly string _repo = RepositoryRoot.Path ?? throw new InvalidOperationException("P2PEnergy.sln not found above the test binaries");

    public SetupScriptTests()
    {
        // A PATH with the tools the script needs and neither node nor npm, whatever this machine has.
        Directory.CreateDirectory(_bin);
        foreach (var tool in new[] { "bash", "id", "grep", "dirname", "ldconfig", "jq", "curl", "python3" })
            if (Which(tool) is { } path) File.CreateSymbolicLink(Path.Combine(_bin, tool), path);
    }

    [Fact(Timeout = 60_000)]
    public async Task ExistingNode_IsKept_NoNpmIsInstalledOverIt()
    {
        WriteTool("node", "echo v22.1.0");
        var output = await Setup("--check", "--interop");
        Assert.Contains("Node.js v22.1.0 present", output);
        Assert.Contains("npm is missing beside your Node.js", output);
        Assert.DoesNotContain("would install nodejs", output);
    }

    [Fact(Timeout = 60_000)]
    public async Task NoNode_IsInstalledOnlyWithInterop()
    {
        Assert.Contains("would install nodejs npm", await Setup("--check", "--interop"));
        var plain = await Setup("--check");
        Assert.DoesNotContain("would install nodejs", plain);
        Assert.Contains("will be skipped with a message (.ci/setup --interop installs it)", plain);
    }

    [Fact]
    public void ReadmeSetup_RunsAsRoot_WithoutSudo()
    {
        var readme = File.ReadAllText(Path.Combine(_repo, "README.md"));
        int from = readme.IndexOf("## Setup", StringComparison.Ordinal), to = readme.IndexOf("## Run the tests", StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "README.md has no Setup section before Run the tests");
        var commands = readme[from..to].Split('\n').Where(l => !l.TrimStart().StartsWith('#') && l.Contains(".ci/setup"));
        Assert.NotEmpty(commands);
        Assert.DoesNotContain(readme[from..to].Split('\n'), l => l.TrimStart().StartsWith("sudo ", StringComparison.Ordinal));
        Assert.DoesNotContain("apt-get install", readme[from..to]);
    }

    private void WriteTool(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        // The setup script is Debian-only, as is this test.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private async Task<string> Setup(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(_bin, "bash")) { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(_repo, ".ci/setup"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PATH"] = _bin;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        string output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $".ci/setup {string.Join(' ', arguments)} exited {process.ExitCode}: {output}");
        return output;
    }

    private static string? Which(string tool)
        => new[] { "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        if (Directory.Exists(_bin)) Directory.Delete(_bin, recursive: true);
    }
}
