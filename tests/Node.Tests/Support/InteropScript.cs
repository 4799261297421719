using System.Diagnostics;
using System.Text.Json;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// Runs one tests/interop script under `node` with a hard time limit and parses the single JSON object it prints.
/// A hung script is killed with its whole process tree, so a wedged client cannot outlive the test run.
/// </summary>
public static class InteropScript
{
    public static async Task<JsonDocument> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var interop = InteropFactAttribute.InteropDirectory ?? throw new InvalidOperationException("tests/interop not found; use [InteropFact].");
        var start = new ProcessStartInfo(InteropFactAttribute.NodeExecutable ?? throw new InvalidOperationException("node is not on PATH; use [InteropFact]."))
        {
            WorkingDirectory = interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(interop, script));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        // Both pipes are drained from the start: a script that fills one while we wait on the other would deadlock.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{script} did not finish within {timeout}; killed. stderr: {await stderr}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{script} exited {process.ExitCode}. stderr: {await stderr}");
        return JsonDocument.Parse(output);
    }
}
