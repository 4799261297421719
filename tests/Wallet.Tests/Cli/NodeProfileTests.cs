using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace P2PEnergy.Wallet.Tests.Cli;

public sealed class NodeProfileTests : IDisposable
{
    private readonly WalletHarness _wallet = new();

    public void Dispose() => _wallet.Dispose();

    /// <summary>A URL on a port nothing listens on: bound, then released.</summary>
    internal static string DeadNodeUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    [Fact]
    public void ConfigSetNode_ThenShow_PrintsIt()
    {
        Assert.Equal(0, _wallet.Run("config", "set", "node", "http://127.0.0.1:5999").Exit);
        var (exit, output, _) = _wallet.Run("config", "show", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("http://127.0.0.1:5999", (string)JsonNode.Parse(output)!["node"]!);
    }

    [Fact]
    public void ConfigSet_RejectsANonHttpUrl_AndKeepsTheFile()
    {
        _wallet.Run("config", "set", "node", "http://127.0.0.1:5999");
        var before = File.ReadAllText(Path.Combine(_wallet.Home, "config.json"));
        var (exit, _, error) = _wallet.Run("config", "set", "node", "ftp://x");
        Assert.NotEqual(0, exit);
        Assert.StartsWith("p2pe: INVALID_NODE_URL: ", error);
        Assert.Equal(before, File.ReadAllText(Path.Combine(_wallet.Home, "config.json")));
    }

    [Fact]
    public void NodeDown_IsOneLineNodeUnreachable_NamingTheUrl()
    {
        var url = DeadNodeUrl();
        var (exit, output, error) = _wallet.Run("account", "balance", "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b", "--node", url);
        Assert.Equal(10, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"p2pe: NODE_UNREACHABLE: ", error);
        Assert.Contains("127.0.0.1", error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void NoNodeConfigured_SaysHowToSetOne()
    {
        var (exit, _, error) = _wallet.Run("account", "show", "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b");
        Assert.NotEqual(0, exit);
        Assert.StartsWith("p2pe: NO_NODE: ", error);
    }

    [Fact]
    public void AccountBalance_UnknownKeyName_IsUnknownKey()
    {
        var (exit, _, error) = _wallet.Run("account", "balance", "--key", "nobody", "--node", DeadNodeUrl());
        Assert.Equal(5, exit);
        Assert.StartsWith("p2pe: UNKNOWN_KEY: ", error);
    }

    [Fact]
    public void OfferPost_BothSides_IsUsage()
    {
        var (exit, _, error) = _wallet.Run("offer", "post", "--sell", "--buy", "--meter", "M", "--start", "2030-01-01T00:00:00Z", "--intervals", "1",
            "--kwh", "1", "--price-per-kwh", "1", "--key", "nobody", "--node", DeadNodeUrl());
        Assert.NotEqual(0, exit);
        Assert.Single(error.Split('\n'));
        Assert.StartsWith("p2pe: ", error);
    }
}
