using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>
/// The EIP-712 example (assets/eip-712/Example.js; eth-sig-util "hashForSignTypedData_v3" and "_v4") as JSON and as
/// builder types, so the same vectors pin both the JSON path and the <see cref="ITypedStruct"/> path.
/// </summary>
internal static class EtherMail
{
    public const string V3Json = """
        {
          "types": {
            "EIP712Domain": [
              { "name": "name", "type": "string" }, { "name": "version", "type": "string" },
              { "name": "chainId", "type": "uint256" }, { "name": "verifyingContract", "type": "address" }
            ],
            "Person": [ { "name": "name", "type": "string" }, { "name": "wallet", "type": "address" } ],
            "Mail": [ { "name": "from", "type": "Person" }, { "name": "to", "type": "Person" }, { "name": "contents", "type": "string" } ]
          },
          "primaryType": "Mail",
          "domain": { "name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
          "message": {
            "from": { "name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
            "to": { "name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
            "contents": "Hello, Bob!"
          }
        }
        """;

    public const string V4ArraysJson = """
        {
          "types": {
            "EIP712Domain": [
              { "name": "name", "type": "string" }, { "name": "version", "type": "string" },
              { "name": "chainId", "type": "uint256" }, { "name": "verifyingContract", "type": "address" }
            ],
            "Person": [ { "name": "name", "type": "string" }, { "name": "wallets", "type": "address[]" } ],
            "Mail": [ { "name": "from", "type": "Person" }, { "name": "to", "type": "Person[]" }, { "name": "contents", "type": "string" } ]
          },
          "primaryType": "Mail",
          "domain": { "name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
          "message": {
            "from": { "name": "Cow", "wallets": ["0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", "0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF"] },
            "to": [ { "name": "Bob", "wallets": ["0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", "0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57", "0xB0B0b0b0b0b0B000000000000000000000000000"] } ],
            "contents": "Hello, Bob!"
          }
        }
        """;

    public static readonly Eip712Domain Domain = new(name: "Ether Mail", version: "1", chainId: 1,
        verifyingContract: Address.Parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"));

    public static readonly Address CowWallet = Address.Parse("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    public static readonly Address BobWallet = Address.Parse("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB");
}

/// <summary>Person{string name, address wallet} of the v3 example, modelled the way project structs are.</summary>
internal sealed record Person(string Name, Address Wallet) : ITypedStruct
{
    public static StructType Eip712Type { get; } = new StructType("Person").Field("name", "string").Field("wallet", "address");

    public StructValue ToTypedValue() => Eip712Type.NewValue().Set("name", Name).Set("wallet", Wallet);
}

/// <summary>Mail{Person from, Person to, string contents} of the v3 example.</summary>
internal sealed record Mail(Person From, Person To, string Contents) : ITypedStruct
{
    public static StructType Eip712Type { get; } = new StructType("Mail")
        .Field("from", Person.Eip712Type).Field("to", Person.Eip712Type).Field("contents", "string");

    public StructValue ToTypedValue() => Eip712Type.NewValue()
        .Set("from", From.ToTypedValue()).Set("to", To.ToTypedValue()).Set("contents", Contents);
}

/// <summary>Person{string name, address[] wallets} of the v4 arrays example.</summary>
internal sealed record MultiWalletPerson(string Name, IReadOnlyList<Address> Wallets) : ITypedStruct
{
    public static StructType Eip712Type { get; } = new StructType("Person").Field("name", "string").Field("wallets", "address[]");

    public StructValue ToTypedValue() => Eip712Type.NewValue()
        .Set("name", Name).Set("wallets", TypedValue.Array(Wallets.Select(w => (TypedValue)w)));
}

/// <summary>Mail{Person from, Person[] to, string contents} of the v4 arrays example.</summary>
internal sealed record GroupMail(MultiWalletPerson From, IReadOnlyList<MultiWalletPerson> To, string Contents) : ITypedStruct
{
    public static StructType Eip712Type { get; } = new StructType("Mail")
        .Field("from", MultiWalletPerson.Eip712Type).Field("to", MultiWalletPerson.Eip712Type, "[]").Field("contents", "string");

    public StructValue ToTypedValue() => Eip712Type.NewValue()
        .Set("from", From.ToTypedValue()).Set("to", TypedValue.ArrayOf(To)).Set("contents", Contents);
}
