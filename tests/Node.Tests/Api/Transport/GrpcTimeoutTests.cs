using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>grpc-timeout values, PROTOCOL-HTTP2.md "Timeout": at most 8 digits and a unit of H M S m u n.</summary>
public sealed class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 3600_000_000_0L)]
    [InlineData("2M", 120_000_000_0L)]
    [InlineData("1S", 10_000_000L)]
    [InlineData("100m", 1_000_000L)]
    [InlineData("250u", 2_500L)]
    [InlineData("1000n", 10L)]
    [InlineData("1n", 1L)] // rounded up to a whole tick: a deadline never shrinks
    [InlineData("0n", 0L)]
    [InlineData("99999999S", 99_999_999L * 10_000_000)]
    [InlineData("99999999H", 99_999_999L * 36_000_000_000)]
    public void Parse_Valid(string value, long expectedTicks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(expectedTicks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("123456789S")] // nine digits
    [InlineData("1s")] // units are case-sensitive: 's' is not one
    [InlineData("1x")]
    [InlineData("-1S")]
    [InlineData("+1S")]
    [InlineData(" 1S")]
    [InlineData("1.5S")]
    public void Parse_Invalid(string? value)
    {
        Assert.False(GrpcTimeout.TryParse(value, out _));
    }

    [Theory]
    [InlineData(1L, "100n")]
    [InlineData(10_000L, "1000000n")]
    [InlineData(10_000_000L, "1000000u")]
    [InlineData(36_000_000_000L, "3600000m")]
    [InlineData(0L, "0n")]
    [InlineData(-5L, "0n")]
    public void Format_UsesFinestUnitThatFits(long ticks, string expected)
    {
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void Format_HugeTimeout_SaturatesAtTheLargestValue()
    {
        Assert.Equal("99999999H", GrpcTimeout.Format(TimeSpan.MaxValue));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(123_456_789L)]
    [InlineData(9_999_999_999L)]
    [InlineData(864_000_000_000_000L)]
    public void Format_ThenParse_NeverShortensAndStaysClose(long ticks)
    {
        var timeout = TimeSpan.FromTicks(ticks);
        var formatted = GrpcTimeout.Format(timeout);

        Assert.True(formatted.Length <= 9, formatted);
        Assert.True(GrpcTimeout.TryParse(formatted, out var parsed));
        Assert.InRange(parsed, timeout, timeout + (timeout / 1000) + TimeSpan.FromTicks(1));
    }
}
