using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Devnet;
using P2PEnergy.Wallet.Failures;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;

namespace P2PEnergy.Wallet.Tests.Devnet;

/// <summary>
/// <c>p2pe devnet status</c> refuses a delivery window it cannot measure, before reading the devnet or the node, and shows
/// money in the market's currency with the decimals the node publishes.
/// </summary>
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

    [Theory]
    [InlineData("EUR", 2, "paid 1234.56 EUR, grid fees 0.07 EUR")]
    [InlineData("JPY", 0, "paid 123456 JPY, grid fees 7 JPY")]
    [InlineData("EUR", 6, "paid 0.123456 EUR, grid fees 0.000007 EUR")]
    public void SettledMoney_IsInTheMarketsCurrencyDecimals_NotLedgerUnits(string code, int decimals, string expected)
    {
        // Regression: the line formatted every amount at 6 decimals whatever the node's currency_decimals said.
        var settlement = new IntervalSettlement { ContractPayments = 123_456, GridFees = 7, Readings = 3, PolrSuppliedWh = 40, PolrAbsorbedWh = 2 };
        var line = DevnetStatusCommand.Settled(settlement, new Currency(code, decimals));
        Assert.Equal($"settled: {expected}, readings 3, POLR supplied 40 Wh / absorbed 2 Wh", line);
    }

    public void Dispose() => _wallet.Dispose();
}
