using P2PEnergy.Contracts.Rpc;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>grpc-message percent-encoding, PROTOCOL-HTTP2.md "Status-Message".</summary>
public sealed class GrpcStatusMessageTests
{
    [Theory]
    [InlineData("plain ASCII ~!", "plain ASCII ~!")]
    [InlineData("100%", "100%25")]
    [InlineData("line\nbreak\t", "line%0Abreak%09")]
    [InlineData("\u007F", "%7F")]
    [InlineData("ä", "%C3%A4")]
    [InlineData("⚡", "%E2%9A%A1")]
    [InlineData("🔌", "%F0%9F%94%8C")]
    public void Encode_PassesPrintableAsciiExceptPercent(string text, string encoded)
    {
        Assert.Equal(encoded, GrpcStatusMessage.Encode(text));
        Assert.Equal(text, GrpcStatusMessage.Decode(encoded));
    }

    [Fact]
    public void Decode_AcceptsLowerCaseHex()
    {
        Assert.Equal("ä", GrpcStatusMessage.Decode("%c3%a4"));
    }

    [Theory]
    [InlineData("50%")]
    [InlineData("%zz then text")]
    [InlineData("%4")]
    public void Decode_KeepsBrokenEscapesRatherThanFailing(string value)
    {
        // Spec: "When decoding invalid values, implementations MUST NOT error or throw away the message."
        Assert.Equal(value, GrpcStatusMessage.Decode(value));
    }

    [Fact]
    public void Decode_InvalidUtf8_BecomesReplacementCharacter()
    {
        Assert.Equal("a\uFFFDb", GrpcStatusMessage.Decode("a%FFb"));
    }

    [Fact]
    public void EveryCharacterRoundTrips()
    {
        var all = string.Concat(Enumerable.Range(0, 0x3000).Where(c => c is < 0xD800 or > 0xDFFF).Select(c => (char)c));
        var encoded = GrpcStatusMessage.Encode(all);

        Assert.All(encoded, c => Assert.InRange(c, '\x20', '\x7E'));
        Assert.Equal(all, GrpcStatusMessage.Decode(encoded));
    }
}
