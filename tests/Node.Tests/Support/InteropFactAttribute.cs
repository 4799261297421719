namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A fact that needs `node` on PATH and tests/interop's npm packages installed (`npm ci` there). xunit 2 has no
/// dynamic skip, so the prerequisites are checked when tests are discovered and a missing one becomes a Skip
/// reason: the test shows as skipped with that message, never as a silent pass.
/// </summary>
public sealed class InteropFactAttribute : FactAttribute
{
    public InteropFactAttribute()
    {
        Skip = MissingPrerequisite();
    }

    /// <summary>Full path of the node executable, or null.</summary>
    public static string? NodeExecutable
    {
        get
        {
            var names = OperatingSystem.IsWindows() ? new[] { "node.exe" } : ["node"];
            var paths = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            return paths.SelectMany(dir => names.Select(name => Path.Combine(dir, name))).FirstOrDefault(File.Exists);
        }
    }

    /// <summary>tests/interop in this checkout, or null outside one.</summary>
    public static string? InteropDirectory =>
        RepositoryRoot.Path is { } root ? Path.Combine(root, "tests", "interop") : null;

    private static string? MissingPrerequisite()
    {
        if (NodeExecutable is null)
        {
            return "Interop test skipped: `node` is not on PATH (install Node.js to run it).";
        }

        if (InteropDirectory is not { } interop)
        {
            return "Interop test skipped: no P2PEnergy.sln above the test binaries, so tests/interop cannot be found.";
        }

        return Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js"))
            && Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "proto-loader"))
            && Directory.Exists(Path.Combine(interop, "node_modules", "ethers"))
            ? null
            : $"Interop test skipped: npm packages are not installed in {interop} (run `npm ci` there).";
    }
}
