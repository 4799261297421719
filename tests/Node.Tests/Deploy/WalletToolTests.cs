using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Deploy;

/// <summary>
/// `p2pe` installs as a .NET tool from the repository, as the README says: dotnet pack src/Wallet, then dotnet tool
/// install into a tool path with the pack folder as a source; the installed command runs.
/// </summary>
[Collection(PublishedBinaries.Collection)]
[Trait("Category", "Integration")]
public sealed class WalletToolTests(PublishedBinaries published)
{
    [Fact]
    public async Task Wallet_PacksAsATool_InstallsIntoAToolPath_AndRunsAsP2pe()
    {
        string packages = await published.WalletPackagesAsync();
        Assert.Single(Directory.GetFiles(packages, "P2PEnergy.Wallet.*.nupkg"));
        string tools = Path.Combine(published.Root, "tools-" + Guid.NewGuid().ToString("N"));
        await PublishedBinaries.DotnetAsync(TimeSpan.FromMinutes(5), "tool", "install", "--tool-path", tools, "--add-source", packages, "P2PEnergy.Wallet");

        // The shim finds the runtime through DOTNET_ROOT, as it would on a machine with .NET installed elsewhere.
        var environment = new Dictionary<string, string> { ["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(NodeExecutable.DotnetHost))! };
        var (exit, output) = await PublishedBinaries.RunAsync(Path.Combine(tools, "p2pe"), ["--version"], TimeSpan.FromSeconds(60), environment);
        Assert.True(exit == 0, output);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
        var help = await PublishedBinaries.RunAsync(Path.Combine(tools, "p2pe"), ["--help"], TimeSpan.FromSeconds(60), environment);
        Assert.Contains("status", help.Output);
    }
}
