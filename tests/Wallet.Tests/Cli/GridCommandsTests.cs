namespace P2PEnergy.Wallet.Tests.Cli;

/// <summary><c>p2pe grid status | capacity</c>: bad input and an unreachable node each give one line and a non-zero exit.</summary>
public sealed class GridCommandsTests : IDisposable
{
    private readonly WalletHarness _wallet = new();

    public void Dispose() => _wallet.Dispose();

    [Fact]
    public void Capacity_NodeDown_IsNodeUnreachableNamingTheUrl()
    {
        var url = NodeProfileTests.DeadNodeUrl();
        var (exit, _, error) = _wallet.Run("grid", "capacity", "--meter", "MTR-A", "--interval", "2030-01-01T10:00:00Z", "--node", url);
        Assert.Equal(10, exit);
        Assert.StartsWith("p2pe: NODE_UNREACHABLE: ", error);
        Assert.Contains(url, error);
    }

    [Fact]
    public void Status_BadInterval_IsRejectedNamingTheOption()
    {
        var (exit, _, error) = _wallet.Run("grid", "status", "--interval", "not-a-time", "--node", NodeProfileTests.DeadNodeUrl());
        Assert.NotEqual(0, exit);
        Assert.Contains("--interval", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Capacity_WithoutMeter_IsAUsageError()
    {
        var (exit, _, _) = _wallet.Run("grid", "capacity", "--interval", "2030-01-01T10:00:00Z");
        Assert.NotEqual(0, exit);
    }
}
