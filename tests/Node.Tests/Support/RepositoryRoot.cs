namespace P2PEnergy.Node.Tests.Support;

/// <summary>The checkout's root: the nearest directory above the test binaries that holds P2PEnergy.sln.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string?> Found = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "P2PEnergy.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    });

    /// <summary>The root, or null when the tests run outside a checkout.</summary>
    public static string? Path => Found.Value;
}
