using P2PEnergy.Node.Tests.Support;
namespace P2PEnergy.Wallet.Tests.Support;

/// <summary>
/// An integration fact that also needs `node` on PATH and ethers installed in tests/interop (`npm ci` there); a missing
/// one becomes the Skip reason, so the test shows as skipped with that message rather than passing silently.
/// </summary>
public sealed class EthersFactAttribute : FactAttribute
{
    public EthersFactAttribute()
    {
        if (NodeJs is null) Skip = "ethers interop skipped: `node` is not on PATH (install Node.js to run it).";
        else if (InteropDirectory is not { } interop) Skip = "ethers interop skipped: tests/interop not found above the test binaries.";
        else if (!Directory.Exists(Path.Combine(interop, "node_modules", "ethers"))) Skip = $"ethers interop skipped: npm packages are not installed in {interop} (run `npm ci` there).";
    }

    public static string? NodeJs => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "node.exe" : "node")).FirstOrDefault(File.Exists);

    /// <summary>tests/interop of the checkout the tests were built from.</summary>
    public static string? InteropDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "tests", "interop", "eip712-ethers.js"))) return Path.Combine(dir.FullName, "tests", "interop");
            return null;
        }
    }
}
