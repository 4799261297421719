using System.Numerics;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>
/// Writing: parse → write → parse keeps the digest, writing is idempotent, and the canonical JSON keeps every
/// integer exact for JavaScript readers (numbers up to 2^53 − 1, decimal strings beyond).
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> Documents => new()
    {
        EtherMail.V3Json, EtherMail.V4ArraysJson, EthersOracleVectorTests.GridJson,
        TypedDataJson.Single("int256[2]", """["-0x8000000000000000000000000000000000000000000000000000000000000000", 9007199254740991]"""),
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void ParseWriteParse_KeepsTheDigest_AndWritingIsIdempotent(string json)
    {
        var first = TypedDataDocument.Parse(json);
        var written = first.ToJson();
        var second = TypedDataDocument.Parse(written);
        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.DomainSeparator, second.DomainSeparator);
        Assert.Equal(written, second.ToJson());
    }

    [Fact]
    public void Write_OrdersKeysAndTypes_AndChecksumsAddresses()
    {
        var json = TypedDataDocument.Parse(EthersOracleVectorTests.GridJson).ToJson();
        using var parsed = JsonDocument.Parse(json);
        var root = parsed.RootElement;
        Assert.Equal(["types", "primaryType", "domain", "message"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["EIP712Domain", "Grid", "Cell"], root.GetProperty("types").EnumerateObject().Select(p => p.Name));
        Assert.Equal("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", root.GetProperty("message").GetProperty("cells")[1].GetProperty("owner").GetString());
        Assert.Equal("0xdeadbeef", root.GetProperty("message").GetProperty("tags")[1].GetString());
    }

    [Fact]
    public void Write_IntegersUpTo2Pow53AreNumbers_LargerAreDecimalStrings()
    {
        var json = TypedDataJson.Single("int256[4]", """["0x1fffffffffffff", "-9007199254740991", "9007199254740992", "-0x20000000000000"]""");
        var message = JsonDocument.Parse(TypedDataDocument.Parse(json).ToJson()).RootElement.GetProperty("message").GetProperty("v");
        Assert.Equal("""[9007199254740991,-9007199254740991,"9007199254740992","-9007199254740992"]""", message.GetRawText());
    }

    [Fact]
    public void DocumentWithoutEip712DomainType_DerivesItFromTheDomainKeys_LikeEthers()
    {
        var withoutDomainType = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(EtherMail.V3Json)!;
        var types = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(withoutDomainType["types"])!;
        types.Remove("EIP712Domain");
        withoutDomainType["types"] = JsonSerializer.SerializeToElement(types);
        var document = TypedDataDocument.Parse(JsonSerializer.Serialize(withoutDomainType));
        Assert.Equal(Hash32.Parse("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"), document.Digest);
        Assert.Contains("\"EIP712Domain\":[{\"name\":\"name\"", document.ToJson());
    }

    [Fact]
    public void BuilderToJson_ParsesBackToTheVectorDigest()
    {
        var mail = new Mail(new Person("Cow", EtherMail.CowWallet), new Person("Bob", EtherMail.BobWallet), "Hello, Bob!");
        var document = TypedDataDocument.Parse(mail.ToJson(EtherMail.Domain));
        Assert.Equal(Hash32.Parse("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"), document.Digest);
        Assert.Equal(mail.Digest(EtherMail.Domain), document.Digest);
    }

    [Fact]
    public void P2PEnergyDomain_WritesNameVersionChainId()
    {
        var mail = new Mail(new Person("Cow", EtherMail.CowWallet), new Person("Bob", EtherMail.BobWallet), "Hello, Bob!");
        var root = JsonDocument.Parse(mail.ToJson(Eip712Domain.ForChain(1337))).RootElement;
        Assert.Equal("""{"name":"P2PEnergy","version":"1","chainId":1337}""", root.GetProperty("domain").GetRawText());
        Assert.Equal("""[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"}]""",
            root.GetProperty("types").GetProperty("EIP712Domain").GetRawText());
    }

    [Fact]
    public void Property_AnyInt256_SurvivesWriteAndParse()
    {
        var int256 =
            from words in ArbMap.Default.GeneratorFor<ulong>().ArrayOf(4)
            from negative in ArbMap.Default.GeneratorFor<bool>()
            from bits in Gen.Choose(1, 255)
            let magnitude = new BigInteger(words.SelectMany(BitConverter.GetBytes).ToArray(), isUnsigned: true) & ((BigInteger.One << bits) - 1)
            select negative ? -magnitude - 1 : magnitude;
        Prop.ForAll(int256.ToArbitrary(), value =>
        {
            var json = TypedDataJson.Single("int256", $"\"{value}\"");
            var first = TypedDataDocument.Parse(json);
            return TypedDataDocument.Parse(first.ToJson()).MessageHash == first.MessageHash;
        }).QuickCheckThrowOnFailure();
    }
}
