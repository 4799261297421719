using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace P2PEnergy.Wallet.Tests.Cli;

public sealed class NodeProfileTests : IDisposable
{
    private readonly WalletHarness _wallet = new();

    public void Dispose() => _wallet.Dispose();

    // Bound and never listening, for as long as the tests run.
    private static readonly List<Socket> DeadPorts = [];

    /// <summary>
    /// A URL on a port nothing listens on: a socket holds it bound and never listens, so a connection is refused, and no
    /// node a test starts meanwhile (on port 0) can be given it, as it could a port bound and released.
    /// </summary>
    internal static string DeadNodeUrl()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (DeadPorts) DeadPorts.Add(socket);
        return $"http://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
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
