namespace P2PEnergy.Anchor.Tests.Support;

/// <summary>
/// A fact that needs `node` on PATH and tests/evm's npm packages (hardhat, solc: `npm ci` there, as .ci/run does). xunit 2
/// has no dynamic skip, so a missing prerequisite becomes the Skip reason at discovery: the test shows as skipped with
/// that message, never as a silent pass.
/// </summary>
public sealed class EvmFactAttribute : FactAttribute
{
    public EvmFactAttribute()
    {
        Skip = MissingPrerequisite();
    }

    /// <summary>Full path of the node executable, or null.</summary>
    public static string? NodeExecutable
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "node")).FirstOrDefault(File.Exists);

    /// <summary>tests/evm of this checkout, or null outside one.</summary>
    public static string? EvmDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "P2PEnergy.sln"))) return Path.Combine(dir.FullName, "tests", "evm");
            return null;
        }
    }

    public static string? MissingPrerequisite()
    {
        if (NodeExecutable is null) return "EVM test skipped: `node` is not on PATH (install Node.js to run it).";
        if (EvmDirectory is not { } evm) return "EVM test skipped: no P2PEnergy.sln above the test binaries, so tests/evm cannot be found.";
        return File.Exists(Path.Combine(evm, "node_modules", "hardhat", "internal", "cli", "bootstrap.js"))
            && File.Exists(Path.Combine(evm, "node_modules", "solc", "index.js"))
            ? null
            : $"EVM test skipped: npm packages are not installed in {evm} (run `npm ci` there).";
    }
}
