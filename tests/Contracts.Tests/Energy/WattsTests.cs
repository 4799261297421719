using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Contracts.Tests.Energy;

/// <summary>Power: whole watts, shown in kW the way grid messages name limits ("5,310 kW").</summary>
public sealed class WattsTests
{
    [Theory]
    [InlineData(5_310_000L, "5,310 kW")]
    [InlineData(7_200L, "7.2 kW")]
    [InlineData(8_004L, "8.004 kW")]
    [InlineData(-1_500L, "-1.5 kW")]
    [InlineData(0L, "0 kW")]
    public void Format_KwWithSeparatorsAndOnlyNonZeroDecimals(long w, string text) => Assert.Equal(text, new Watts(w).ToString());

    [Fact]
    public void FormatKilo_OtherUnits() => Assert.Equal("11 kVA", Watts.FormatKilo(11_000, "kVA"));

    [Theory]
    [InlineData("7200", 7200L)]
    [InlineData("7200W", 7200L)]
    [InlineData("7.2kW", 7200L)]
    [InlineData("7.2 kW", 7200L)]
    public void TryParse_WattsOrKilowatts(string text, long w)
    {
        Assert.True(Watts.TryParse(text, out var power, out var problem), problem);
        Assert.Equal(w, power.W);
    }

    [Theory]
    [InlineData("7.5", "must be a whole number of W")]
    [InlineData("7.0001kW", "has more than 3 decimals")]
    [InlineData("seven", "is not a number")]
    public void TryParse_SaysWhatIsWrong(string text, string problem)
    {
        Assert.False(Watts.TryParse(text, out _, out var said));
        Assert.StartsWith(problem, said);
    }
}
