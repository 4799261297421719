namespace P2PEnergy.Wallet.Tests.Cli;

/// <summary>The root of the command line: help without a command, and shell completion for bash and zsh.</summary>
public sealed class RootCommandTests : IDisposable
{
    private readonly WalletHarness _wallet = new();

    public void Dispose() => _wallet.Dispose();

    [Theory]
    [InlineData]
    [InlineData("help")]
    [InlineData("--help")]
    public void NoCommand_OrHelp_PrintsTheHelp_NotAnError(params string[] args)
    {
        var (exit, output, error) = _wallet.Run(args);
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("p2pe — wallet for the P2PEnergy", output);
        Assert.Contains("contract", output);
        Assert.DoesNotContain("Required command", output + error);
        Assert.DoesNotContain("__complete", output);
    }

    [Fact]
    public void HelpCommand_PrintsTheHelpOfTheNamedCommand()
    {
        var (exit, output, _) = _wallet.Run("help", "contract", "propose");
        Assert.Equal(0, exit);
        Assert.Contains("--price-per-kwh", output);
        Assert.Contains("--offline", output);
    }

    [Fact]
    public void Complete_ListsTheCommandsAfterTheWordsTyped()
    {
        var top = _wallet.Run("__complete").Out.Split('\n');
        Assert.Contains("contract", top);
        Assert.Contains("offer", top);
        Assert.DoesNotContain("__complete", top);
        var contract = _wallet.Run("__complete", "contract").Out.Split('\n');
        Assert.Contains("propose", contract);
        Assert.Contains("sign", contract);
        Assert.DoesNotContain("offer", contract);
        Assert.Contains("--price-per-kwh", _wallet.Run("__complete", "contract", "propose").Out.Split('\n'));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _p2pe_complete p2pe")]
    [InlineData("zsh", "compdef _p2pe_complete p2pe")]
    public void Completion_PrintsAScript_ThatAsksTheWalletForCandidates(string shell, string registration)
    {
        var (exit, output, _) = _wallet.Run("completion", shell);
        Assert.Equal(0, exit);
        Assert.Contains("p2pe __complete", output);
        Assert.Contains(registration, output);
    }

    [Fact]
    public void Completion_OtherShell_IsUsage()
    {
        var (exit, _, error) = _wallet.Run("completion", "fish");
        Assert.Equal(2, exit);
        Assert.StartsWith("p2pe: USAGE: ", error);
    }
}
