namespace P2PEnergy.Wallet.Tests.Cli;

/// <summary>
/// <c>p2pe operator validators set</c>: a malformed --validator is refused before anything is signed or sent, with
/// INVALID_ARGUMENT naming the value (exit 8), so no node is needed.
/// </summary>
public sealed class ValidatorCommandsTests : IDisposable
{
    private const string Address = "0x1111111111111111111111111111111111111111";
    private readonly WalletHarness _wallet = new();

    public void Dispose() => _wallet.Dispose();

    [Theory]
    [InlineData(Address + ":1:Grid Co", "is not ADDRESS:POWER:OPERATOR:ROLE")] // no role
    [InlineData(Address + ":1::Utility", "is not ADDRESS:POWER:OPERATOR:ROLE")] // no operator name
    [InlineData(Address + ":0:Grid Co:Utility", "power '0' is not a whole number above 0")]
    [InlineData(Address + ":-3:Grid Co:Utility", "power '-3' is not a whole number above 0")]
    [InlineData(Address + ":many:Grid Co:Utility", "power 'many' is not a whole number above 0")]
    [InlineData("0x12:1:Grid Co:Utility", "--validator '0x12' is not an address")]
    public void Set_MalformedValidator_IsInvalidArgument_NamingTheValue(string entry, string expected)
    {
        var (exit, _, error) = _wallet.Run("operator", "validators", "set", "--validator", entry, "--key", "authority", "--node", NodeProfileTests.DeadNodeUrl());
        Assert.Equal(8, exit);
        Assert.StartsWith("p2pe: INVALID_ARGUMENT: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Set_WithoutAValidator_IsAUsageError()
    {
        var (exit, _, _) = _wallet.Run("operator", "validators", "set", "--key", "authority", "--node", NodeProfileTests.DeadNodeUrl());
        Assert.NotEqual(0, exit);
    }
}
