using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>
/// Cases no published vector covers (int256 negatives and extremes, every number spelling, fixed and nested arrays,
/// arrays of structs, bytesN, all five domain fields), pinned to values computed by ethers v6.16
/// <c>TypedDataEncoder</c> (encodeType, hashStruct, hashDomain, hash) on the same input.
/// </summary>
public sealed class EthersOracleVectorTests
{
    private const string NumbersJson = """
        {
          "types": {
            "EIP712Domain": [ { "name": "name", "type": "string" }, { "name": "version", "type": "string" }, { "name": "chainId", "type": "uint256" } ],
            "Numbers": [
              { "name": "a", "type": "int256" }, { "name": "b", "type": "int8" }, { "name": "c", "type": "uint8" }, { "name": "d", "type": "int256" },
              { "name": "e", "type": "uint256" }, { "name": "f", "type": "int64" }, { "name": "g", "type": "uint32" }
            ]
          },
          "primaryType": "Numbers",
          "domain": { "name": "P2PEnergy", "version": "1", "chainId": 1337 },
          "message": {
            "a": -1, "b": -128, "c": 255,
            "d": "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
            "e": "115792089237316195423570985008687907853269984665640564039457584007913129639935",
            "f": "-0x10", "g": "0xffffffff"
          }
        }
        """;

    internal const string GridJson = """
        {
          "types": {
            "EIP712Domain": [
              { "name": "name", "type": "string" }, { "name": "version", "type": "string" }, { "name": "chainId", "type": "uint256" },
              { "name": "verifyingContract", "type": "address" }, { "name": "salt", "type": "bytes32" }
            ],
            "Grid": [
              { "name": "matrix", "type": "uint16[2][]" }, { "name": "tags", "type": "bytes4[3]" }, { "name": "names", "type": "string[]" },
              { "name": "cells", "type": "Cell[2]" }, { "name": "flags", "type": "bool[][]" }, { "name": "payload", "type": "bytes" },
              { "name": "root", "type": "bytes32" }, { "name": "rows", "type": "Cell[][1]" }
            ],
            "Cell": [ { "name": "x", "type": "int32" }, { "name": "owner", "type": "address" } ]
          },
          "primaryType": "Grid",
          "domain": {
            "name": "Grid", "version": "2", "chainId": 5, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
            "salt": "0xabababababababababababababababababababababababababababababababab"
          },
          "message": {
            "matrix": [[1, 2], [3, 65535], [0, 0]],
            "tags": ["0x01020304", "0xdeadbeef", "0x00000000"],
            "names": ["", "h\u00e9llo", "x"],
            "cells": [
              { "x": -7, "owner": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
              { "x": 2147483647, "owner": "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" }
            ],
            "flags": [[true, false], [], [true]],
            "payload": "0x",
            "root": "0x1111111111111111111111111111111111111111111111111111111111111111",
            "rows": [[
              { "x": 2147483647, "owner": "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
              { "x": -7, "owner": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
              { "x": -7, "owner": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" }
            ]]
          }
        }
        """;

    [Fact]
    public void Int256Negatives_AndExtremes_InEveryNumberSpelling_MatchEthers()
    {
        var document = TypedDataDocument.Parse(NumbersJson);
        Assert.Equal("Numbers(int256 a,int8 b,uint8 c,int256 d,uint256 e,int64 f,uint32 g)", document.Types.EncodeType("Numbers"));
        Assert.Equal(Hash32.Parse("b167c171e4db6780a8d2c1454063913f2344e8798e56b1c92a8739bee3f34661"), document.MessageHash);
        Assert.Equal(Hash32.Parse("9a00513d5ac7f7eb3ce268a3748d9e3b118d8c556b257ca278db52f59875d85c"), document.DomainSeparator);
        Assert.Equal(Hash32.Parse("9b6600860670d38c2eff90eebfd15e755574a6a3bb6923115a3297e96797988c"), document.Digest);
    }

    [Fact]
    public void FixedNestedAndStructArrays_BytesN_AllDomainFields_MatchEthers()
    {
        var document = TypedDataDocument.Parse(GridJson);
        Assert.Equal("Grid(uint16[2][] matrix,bytes4[3] tags,string[] names,Cell[2] cells,bool[][] flags,bytes payload,bytes32 root,Cell[][1] rows)Cell(int32 x,address owner)",
            document.Types.EncodeType("Grid"));
        Assert.Equal(Hash32.Parse("43008f035ce01fea22c99df6051f7724942a6fb0c2d6e4ffc9db3e914756f4c1"), document.MessageHash);
        Assert.Equal(Hash32.Parse("76b08e92fd6405c60c95dec5ec6133e89fa5b5420b0dd3bf5e7238cdc7dae4e8"), document.DomainSeparator);
        Assert.Equal(Hash32.Parse("9b9649ff12e5ae47db84c3dd1b174181d61be8cb8e507a2b2ebb5e4dfbea504b"), document.Digest);
    }

    [Fact]
    public void P2PEnergyDomainForChain1_MatchesEthersHashDomain()
    {
        var domain = Eip712Domain.ForChain(1);
        Assert.Equal(["name", "version", "chainId"], domain.Members.Select(m => m.Name));
        Assert.Equal(Hash32.Parse("5b8c0dc2c4542c510f260d25bb6dc46d691ff189f87a549124edd34c83cb46d7"), domain.Separator);
    }
}
