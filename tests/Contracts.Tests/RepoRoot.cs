namespace P2PEnergy.Contracts.Tests;

/// <summary>The repository checkout the tests run from: the nearest directory above the test binaries holding P2PEnergy.sln.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string?> Found = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PEnergy.sln"))) return dir.FullName;
        return null;
    });

    /// <summary>The root, or null when the binaries were copied out of a checkout.</summary>
    public static string? TryFind() => Found.Value;

    /// <summary>The root; throws when the tests do not run inside a checkout.</summary>
    public static string FullPath => Found.Value ?? throw new DirectoryNotFoundException($"no P2PEnergy.sln above {AppContext.BaseDirectory}");

    /// <summary>A path inside the checkout from '/'-separated parts.</summary>
    public static string Combine(params string[] parts) => Path.Combine([FullPath, .. parts]);
}
