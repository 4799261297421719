using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// An EIP-712 domain: any non-empty subset of name, version, chainId, verifyingContract and salt. Its struct type
/// lists the fields present in the spec's order; the domain separator is computed once, on construction.
/// </summary>
public sealed class Eip712Domain
{
    /// <summary>The fields EIP-712 defines for EIP712Domain, with their types, in the spec's order.</summary>
    public static IReadOnlyList<TypeMember> StandardMembers { get; } =
    [
        new("name", "string"), new("version", "string"), new("chainId", "uint256"),
        new("verifyingContract", "address"), new("salt", "bytes32"),
    ];

    /// <summary>The P2PEnergy ledger's domain: <c>{name "P2PEnergy", version "1", chainId}</c> (DESIGN.md "Canonical bytes").</summary>
    public static Eip712Domain ForChain(ulong chainId) => new(name: "P2PEnergy", version: "1", chainId: chainId);

    public Eip712Domain(string? name = null, string? version = null, BigInteger? chainId = null,
        Address? verifyingContract = null, Hash32? salt = null)
    {
        Name = name; Version = version; ChainId = chainId; VerifyingContract = verifyingContract; Salt = salt;
        var values = new JsonObject();
        if (name is not null) values.Add("name", name);
        if (version is not null) values.Add("version", version);
        if (chainId is { } id) values.Add("chainId", id.ToString(CultureInfo.InvariantCulture));
        if (verifyingContract is { } contract) values.Add("verifyingContract", contract.ToString());
        if (salt is { } s) values.Add("salt", s.ToString());
        Members = StandardMembers.Where(m => values.ContainsKey(m.Name)).ToArray();
        Values = JsonSerializer.SerializeToElement(values);
        CheckMembers(Members, "domain");
        Types = new TypedDataTypes([new(TypedDataTypes.DomainTypeName, Members)]);
        Separator = Eip712.HashStruct(Types, TypedDataTypes.DomainTypeName, Values, "domain");
    }

    public string? Name { get; }
    public string? Version { get; }
    public BigInteger? ChainId { get; }
    public Address? VerifyingContract { get; }
    public Hash32? Salt { get; }

    /// <summary>The members of this domain's EIP712Domain type: the fields present, in the spec's order.</summary>
    public IReadOnlyList<TypeMember> Members { get; }

    /// <summary>The domain as the JSON object eth_signTypedData_v4 carries.</summary>
    public JsonElement Values { get; }

    /// <summary>domainSeparator = hashStruct(eip712Domain).</summary>
    public Hash32 Separator { get; }

    internal TypedDataTypes Types { get; }

    /// <summary>
    /// Checks a declared EIP712Domain type: at least one member, each a standard field with its standard type.
    /// The order is the declarer's (MetaMask hashes the declared order), so it is not checked.
    /// </summary>
    internal static void CheckMembers(IReadOnlyList<TypeMember> members, string path)
    {
        if (members.Count == 0)
            throw new TypedDataException(path, TypedDataTypes.DomainTypeName, null, "EIP712Domain needs one or more of name, version, chainId, verifyingContract, salt");
        for (int i = 0; i < members.Count; i++)
        {
            var standard = StandardMembers.FirstOrDefault(m => m.Name == members[i].Name);
            if (standard is null)
                throw new TypedDataException($"types.{TypedDataTypes.DomainTypeName}[{i}].name", null, members[i].Name,
                    "not an EIP712Domain field (name, version, chainId, verifyingContract, salt)");
            if (standard.Type != members[i].Type)
                throw new TypedDataException($"types.{TypedDataTypes.DomainTypeName}[{i}].type", members[i].Type, null,
                    $"EIP712Domain.{standard.Name} must have type {standard.Type}");
        }
    }

    /// <summary>The EIP712Domain members ethers v6 derives when a document does not declare the type: the keys present, in the spec's order.</summary>
    internal static IReadOnlyList<TypeMember> DeriveMembers(JsonElement domain)
    {
        if (domain.ValueKind != JsonValueKind.Object)
            throw new TypedDataException("domain", TypedDataTypes.DomainTypeName, domain.GetRawText(), "expected a JSON object");
        foreach (var property in domain.EnumerateObject())
            if (!StandardMembers.Any(m => m.Name == property.Name))
                throw new TypedDataException($"domain.{property.Name}", null, property.Value.GetRawText(),
                    "not an EIP712Domain field (name, version, chainId, verifyingContract, salt)");
        return StandardMembers.Where(m => domain.TryGetProperty(m.Name, out _)).ToArray();
    }
}
