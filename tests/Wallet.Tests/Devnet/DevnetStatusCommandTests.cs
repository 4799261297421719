using P2PEnergy.Wallet.Failures;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;

namespace P2PEnergy.Wallet.Tests.Devnet;

/// <summary><c>p2pe devnet status</c> refuses a delivery window it cannot measure, before reading the devnet or the node.</summary>
public sealed class DevnetStatusCommandTests : IDisposable
{
    private readonly WalletHarness _wallet = new();

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1001")]
    public void DeliveryIntervalsOutOfRange_IsUsage_NamingTheValue(string value)
    {
        var (exit, _, error) = _wallet.Run("devnet", "status", "--dir", _wallet.Home, "--delivery-intervals", value);
        Assert.Equal((int)ExitCode.Usage, exit);
        Assert.Contains("USAGE", error);
        Assert.Contains(value, error);
    }

    public void Dispose() => _wallet.Dispose();
}
