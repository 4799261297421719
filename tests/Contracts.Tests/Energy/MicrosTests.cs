using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Contracts.Tests.Energy;

/// <summary>Money: the ledger's integer micros, shown and typed in the currency with exactly its decimals.</summary>
public sealed class MicrosTests
{
    [Theory]
    [InlineData(100_000UL, 6, "0.100000")]
    [InlineData(100_000_000UL, 6, "100.000000")]
    [InlineData(5_000UL, 6, "0.005000")]
    [InlineData(12_345UL, 2, "123.45")]
    [InlineData(7UL, 0, "7")]
    [InlineData(ulong.MaxValue, 6, "18446744073709.551615")]
    public void Format_ShowsEveryMicroWithTheCurrencysDecimals(ulong micros, int decimals, string text)
        => Assert.Equal(text, Micros.Format(micros, decimals));

    [Fact]
    public void Currency_FormatsWithItsCode() => Assert.Equal("0.100000 EUR", Currency.Default.WithCode(100_000));

    [Theory]
    [InlineData("0.10", 6, 100_000UL)]
    [InlineData("0.1", 6, 100_000UL)]
    [InlineData("25", 6, 25_000_000UL)]
    [InlineData("123.45", 2, 12_345UL)]
    [InlineData("0", 6, 0UL)]
    [InlineData("18446744073709.551615", 6, ulong.MaxValue)]
    public void TryParse_IsExact(string text, int decimals, ulong micros)
    {
        Assert.True(Micros.TryParse(text, decimals, out var money, out var problem), problem);
        Assert.Equal(micros, money.Amount);
    }

    [Theory]
    [InlineData("-5", 6, "must not be negative")]
    [InlineData("0.0000001", 6, "has more than 6 decimals (the smallest step is 0.000001)")]
    [InlineData("1.234", 2, "has more than 2 decimals (the smallest step is 0.01)")]
    [InlineData("1.5", 0, "must be a whole number")]
    [InlineData("abc", 6, "is not a number")]
    [InlineData("18446744073709.551616", 6, "is more than the ledger holds (18446744073709.551615)")]
    public void TryParse_SaysWhatIsWrong(string text, int decimals, string problem)
    {
        Assert.False(Micros.TryParse(text, decimals, out _, out var said));
        Assert.StartsWith(problem, said);
    }

    [Fact]
    public void FormatThenParse_RoundTripsEveryMicro()
    {
        var random = new Random(17);
        for (int i = 0; i < 1000; i++)
        {
            ulong micros = (ulong)random.NextInt64(long.MaxValue) * 2 + (ulong)random.Next(2);
            int decimals = random.Next(0, 19);
            Assert.True(Micros.TryParse(Micros.Format(micros, decimals), decimals, out var back, out _));
            Assert.True(micros == back.Amount, $"seed 17, draw {i}: {micros} at {decimals} decimals came back as {back.Amount}");
        }
    }
}
