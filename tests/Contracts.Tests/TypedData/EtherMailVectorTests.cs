using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>
/// The published EIP-712 vectors (shared/reference/vectors.md): EIP-712 assets/eip-712/Example.js and MetaMask
/// eth-sig-util "hashForSignTypedData_v3" (Mail) and "hashForSignTypedData_v4" (arrays). Signatures are out of scope here.
/// </summary>
public sealed class EtherMailVectorTests
{
    private static readonly TypedDataDocument V3 = TypedDataDocument.Parse(EtherMail.V3Json);
    private static readonly TypedDataDocument V4 = TypedDataDocument.Parse(EtherMail.V4ArraysJson);

    private static Mail V3Mail => new(new Person("Cow", EtherMail.CowWallet), new Person("Bob", EtherMail.BobWallet), "Hello, Bob!");

    private static GroupMail V4Mail => new(
        new MultiWalletPerson("Cow", [EtherMail.CowWallet, Address.Parse("0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF")]),
        [new MultiWalletPerson("Bob", [EtherMail.BobWallet, Address.Parse("0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57"),
            Address.Parse("0xB0B0b0b0b0b0B000000000000000000000000000")])],
        "Hello, Bob!");

    [Fact]
    public void V3_EncodeTypeMail_ListsPrimaryThenReferencedStructs()
    {
        const string expected = "Mail(Person from,Person to,string contents)Person(string name,address wallet)";
        Assert.Equal(expected, V3.Types.EncodeType("Mail"));
        Assert.Equal(expected, Mail.Eip712Type.EncodeType);
    }

    [Fact]
    public void V3_TypeHashMail()
    {
        var expected = Hash32.Parse("a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
        Assert.Equal(expected, V3.Types.TypeHash("Mail"));
        Assert.Equal(expected, Mail.Eip712Type.TypeHash);
    }

    [Fact]
    public void V3_HashStructMail()
    {
        var expected = Hash32.Parse("c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
        Assert.Equal(expected, V3.MessageHash);
        Assert.Equal(expected, V3Mail.HashStruct());
    }

    [Fact]
    public void V3_DomainSeparator()
    {
        var expected = Hash32.Parse("f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
        Assert.Equal(expected, V3.DomainSeparator);
        Assert.Equal(expected, EtherMail.Domain.Separator);
    }

    [Fact]
    public void V3_Digest()
    {
        var expected = Hash32.Parse("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
        Assert.Equal(expected, V3.Digest);
        Assert.Equal(expected, V3Mail.Digest(EtherMail.Domain));
    }

    [Fact]
    public void V4Arrays_TypeHashPerson()
    {
        var expected = Hash32.Parse("fabfe1ed996349fc6027709802be19d047da1aa5d6894ff5f6486d92db2e6860");
        Assert.Equal(expected, V4.Types.TypeHash("Person"));
        Assert.Equal(expected, MultiWalletPerson.Eip712Type.TypeHash);
    }

    [Fact]
    public void V4Arrays_HashStructMail()
    {
        var expected = Hash32.Parse("eb4221181ff3f1a83ea7313993ca9218496e424604ba9492bb4052c03d5c3df8");
        Assert.Equal(expected, V4.MessageHash);
        Assert.Equal(expected, V4Mail.HashStruct());
    }

    [Fact]
    public void V4Arrays_Digest()
    {
        var expected = Hash32.Parse("a85c2e2b118698e88db68a8105b794a8cc7cec074e89ef991cb4f5f533819cc2");
        Assert.Equal(expected, V4.Digest);
        Assert.Equal(expected, V4Mail.Digest(EtherMail.Domain));
    }
}
