namespace P2PEnergy.Contracts.TypedData;

/// <summary>One member of an EIP-712 struct type: its name and its type string (<c>address</c>, <c>Person[]</c>, ...).</summary>
public sealed record TypeMember(string Name, string Type)
{
    /// <summary>As it appears inside encodeType: <c>"type name"</c>.</summary>
    public override string ToString() => $"{Type} {Name}";
}
