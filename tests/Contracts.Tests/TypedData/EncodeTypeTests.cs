using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>EIP-712 "Definition of encodeType": primary first, then referenced structs once each, sorted by name; recursion allowed.</summary>
public sealed class EncodeTypeTests
{
    private static TypedDataTypes Types(params (string Name, (string Name, string Type)[] Members)[] structs)
        => new(structs.Select(s => new KeyValuePair<string, IReadOnlyList<TypeMember>>(
            s.Name, s.Members.Select(m => new TypeMember(m.Name, m.Type)).ToArray())));

    [Fact]
    public void ReferencedStructs_AreSortedByName_AndListedOnce_WhateverTheDepth()
    {
        var types = Types(
            ("Zeta", [("b", "Beta[]"), ("a", "Alpha")]),
            ("Beta", [("a", "Alpha[2][]")]),
            ("Alpha", [("x", "uint8")]));
        Assert.Equal("Zeta(Beta[] b,Alpha a)Alpha(uint8 x)Beta(Alpha[2][] a)", types.EncodeType("Zeta"));
        Assert.Equal("Beta(Alpha[2][] a)Alpha(uint8 x)", types.EncodeType("Beta"));
    }

    [Fact]
    public void RecursiveTypes_AreAllowed_AndEncodedOnce()
    {
        var types = Types(("Node", [("children", "Node[]"), ("leaf", "Leaf")]), ("Leaf", [("owner", "Node")]));
        Assert.Equal("Node(Node[] children,Leaf leaf)Leaf(Node owner)", types.EncodeType("Node"));
        Assert.Equal("Leaf(Node owner)Node(Node[] children,Leaf leaf)", types.EncodeType("Leaf"));
    }

    [Fact]
    public void RecursiveValue_HashesToTheDepthTheValueHas()
    {
        var document = TypedDataDocument.Parse(TypedDataJson.Document(
            """[ { "name": "children", "type": "T[]" }, { "name": "id", "type": "uint8" } ]""",
            """{ "id": 1, "children": [ { "id": 2, "children": [] } ] }"""));
        Assert.Equal("T(T[] children,uint8 id)", document.Types.EncodeType("T"));
    }

    [Fact]
    public void UnreferencedTypes_StayOutOfEncodeType()
    {
        var types = Types(("A", [("x", "bool")]), ("Unused", [("y", "A")]));
        Assert.Equal("A(bool x)", types.EncodeType("A"));
    }
}
