using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary><c>p2pe device run</c> refuses bad input before it connects, with the CLI's reason codes and exit codes.</summary>
public sealed class DeviceCommandTests : IDisposable
{
    private readonly WalletHarness _wallet = new();

    [Fact]
    public void MissingMeterKeyOrDriver_IsUsage()
    {
        var (exit, _, error) = _wallet.Run("device", "run", "--driver", "battery");
        Assert.Equal((int)ExitCode.Usage, exit);
        Assert.StartsWith("p2pe: USAGE:", error);
    }

    [Fact]
    public void UnknownDriver_IsUsage()
        => Assert.Equal((int)ExitCode.Usage, _wallet.Run("device", "run", "--meter", "M", "--key", "k", "--driver", "windmill").Exit);

    [Fact]
    public void NodeAddress_MustBeHttp()
    {
        // Regression: --node was an Option<Uri>, which System.CommandLine cannot parse, so every --node failed INTERNAL.
        var (exit, _, error) = _wallet.Run("device", "run", "--meter", "M", "--key", "k", "--driver", "load", "--node", "ftp://x");
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains("INVALID_NODE", error);
    }

    [Fact]
    public void ValidNode_ButUnknownKey_IsUnknownKey()
    {
        var (exit, _, error) = _wallet.Run("device", "run", "--meter", "M", "--key", "nobody", "--driver", "load", "--node", "http://127.0.0.1:1");
        Assert.Equal((int)ExitCode.UnknownKey, exit);
        Assert.Contains("UNKNOWN_KEY", error);
    }

    [Theory]
    [InlineData("--deviation", "-150")]
    [InlineData("--soc", "120")]
    [InlineData("--interval-seconds", "7")]
    [InlineData("--arrival", "25:00")]
    [InlineData("--intervals", "0")]
    [InlineData("--utc-offset", "5.37")]
    [InlineData("--utc-offset", "15")]
    public void ImpossibleDeviceParameters_AreBadInput(string option, string value)
    {
        var driver = option == "--arrival" ? "ev" : "battery";
        var (exit, _, error) = _wallet.Run("device", "run", "--meter", "M", "--key", "k", "--driver", driver, option, value, "--json");
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains("\"INVALID_DEVICE\"", error);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("8d")]
    [InlineData("forever")]
    public void GiveUpAfter_OutsideOneSecondToAWeek_IsBadInput_NamingTheValue(string value)
    {
        var (exit, _, error) = _wallet.Run("device", "run", "--meter", "M", "--key", "k", "--driver", "load", "--give-up-after", value);
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.StartsWith("p2pe: INVALID_ARGUMENT: --give-up-after '" + value + "'", error);
    }

    private void ImportDeviceKey()
    {
        _wallet.Variables[WalletEnvironment.PasswordVariable] = "pw";
        var file = _wallet.WriteFile("d.hex", P2PEnergy.Contracts.Crypto.Hex.Encode(P2PEnergy.Contracts.Crypto.PrivateKey.Generate().Bytes));
        Assert.Equal(0, _wallet.Run("key", "import", "--private-key-file", file, "--name", "dev").Exit);
    }

    [Fact]
    public void NoNodeGiven_NorConfigured_IsNoNode_NotADefaultAddress()
    {
        ImportDeviceKey();
        var (exit, _, error) = _wallet.Run("device", "run", "--meter", "M", "--key", "dev", "--driver", "load");
        Assert.Equal((int)ExitCode.Usage, exit);
        Assert.StartsWith("p2pe: NO_NODE: ", error);
    }

    [Fact]
    public void ConfiguredNode_ThatDoesNotAnswer_IsNodeUnreachable_NotRetriedForever()
    {
        ImportDeviceKey();
        var url = NodeProfileTests.DeadNodeUrl();
        Assert.Equal(0, _wallet.Run("config", "set", "node", url).Exit);
        var (exit, _, error) = _wallet.Run("device", "run", "--meter", "M", "--key", "dev", "--driver", "load", "--connect-timeout", "0");
        Assert.Equal((int)ExitCode.NodeUnreachable, exit);
        Assert.StartsWith("p2pe: NODE_UNREACHABLE: ", error);
        Assert.Contains(url, error);
    }

    public void Dispose() => _wallet.Dispose();
}
