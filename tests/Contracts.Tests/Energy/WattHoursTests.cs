using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Contracts.Tests.Energy;

/// <summary>Energy: whole Wh on the ledger, kWh with three decimals for people, parsed exactly.</summary>
public sealed class WattHoursTests
{
    [Theory]
    [InlineData(1500L, "1.500 kWh")]
    [InlineData(20L, "0.020 kWh")]
    [InlineData(-4L, "-0.004 kWh")]
    [InlineData(0L, "0.000 kWh")]
    [InlineData(long.MaxValue, "9223372036854775.807 kWh")]
    public void Format_IsKwhWithThreeDecimals(long wh, string text) => Assert.Equal(text, new WattHours(wh).ToString());

    [Fact]
    public void FormatKwh_TakesUnsignedLedgerFieldsWhole() => Assert.Equal("18446744073709551.615", WattHours.FormatKwh(ulong.MaxValue));

    [Theory]
    [InlineData("1.5", 1500L)]
    [InlineData("0.020", 20L)]
    [InlineData("2", 2000L)]
    [InlineData("-2", -2000L)]
    [InlineData("1.5000", 1500L)]  // trailing zeros are not extra precision
    [InlineData(".5", 500L)]
    public void TryParseKwh_IsExact(string text, long wh)
    {
        Assert.True(WattHours.TryParseKwh(text, out var energy, out var problem), problem);
        Assert.Equal(wh, energy.Wh);
    }

    [Theory]
    [InlineData("1.0005", "has more than 3 decimals (the smallest step is 0.001 kWh)")]
    [InlineData("1e3", "is not a number")]
    [InlineData("1,5", "is not a number")]
    [InlineData("", "is not a number")]
    [InlineData("1.", "is not a number")]
    [InlineData("99999999999999999999", "is more energy than the ledger holds")]
    public void TryParseKwh_SaysWhatIsWrong(string text, string problem)
    {
        Assert.False(WattHours.TryParseKwh(text, out _, out var said));
        Assert.StartsWith(problem, said);
    }

    [Fact]
    public void FromWh_AboveTheSignedRange_Overflows() => Assert.Throws<OverflowException>(() => WattHours.FromWh(ulong.MaxValue));
}
