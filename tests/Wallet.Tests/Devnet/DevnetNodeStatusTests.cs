using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Devnet;

namespace P2PEnergy.Wallet.Tests.Devnet;

/// <summary>
/// Issue 15: <c>devnet/status</c> shows per node height, round, peers, last commit's signers (by node name), mempool
/// size and lag behind the highest node; a node that does not answer is listed with the reason, not dropped.
/// </summary>
public sealed class DevnetNodeStatusTests
{
    private static readonly PrivateKey A = PrivateKey.Parse("0000000000000000000000000000000000000000000000000000000000000011");
    private static readonly PrivateKey B = PrivateKey.Parse("0000000000000000000000000000000000000000000000000000000000000012");
    private static readonly PrivateKey Outsider = PrivateKey.Parse("0000000000000000000000000000000000000000000000000000000000000013");

    private static readonly DevnetNode[] Nodes =
    [
        new("utility", DevnetNode.ValidatorRole, "/d/utility", A.Address.ToString(), ""),
        new("dmo", DevnetNode.ValidatorRole, "/d/dmo", B.Address.ToString(), ""),
        new("observer", DevnetNode.ObserverRole, "/d/observer", null, ""),
    ];

    private static NodeStatus Status(ulong height, uint round, uint peers, uint mempool, params (PrivateKey Key, bool Signed)[] validators)
    {
        var status = new NodeStatus { Height = height, Round = round, Peers = peers, MempoolSize = mempool };
        foreach (var (key, signed) in validators)
            status.Validators.Add(new ValidatorStatus { Address = ByteString.CopyFrom(key.Address.Bytes), Power = 1, SignedLastBlock = signed });
        return status;
    }

    [Fact]
    public void Table_ShowsLagBehindTheHighestNode_SignersByNodeName_AndANodeThatDidNotAnswer()
    {
        var rows = new[]
        {
            new DevnetNodeStatus("utility", "validator", "http://127.0.0.1:1", Status(120, 0, 2, 7, (A, true), (B, true), (Outsider, false)), null),
            new DevnetNodeStatus("dmo", "validator", "http://127.0.0.1:2", Status(117, 2, 1, 0, (A, true), (Outsider, true)), null),
            new DevnetNodeStatus("observer", "observer", "http://127.0.0.1:3", null, "UNAVAILABLE: connection refused"),
        };

        var (json, lines) = DevnetNodeStatus.Table(rows, Nodes);

        Assert.Equal(0UL, (ulong)json[0]!["lag"]!);
        Assert.Equal(3UL, (ulong)json[1]!["lag"]!);
        Assert.Equal(2U, (uint)json[1]!["round"]!);
        Assert.Equal(7U, (uint)json[0]!["mempool"]!);
        Assert.Equal(["utility", "dmo"], json[0]!["signers"]!.AsArray().Select(n => (string)n!));
        // A signer no devnet node holds is shown by its address.
        Assert.Equal(["utility", Outsider.Address.ToString()], json[1]!["signers"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("UNAVAILABLE: connection refused", (string)json[2]!["error"]!);
        Assert.Contains(lines, l => l.StartsWith("utility", StringComparison.Ordinal) && l.EndsWith("utility dmo (2 of 3)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("observer", StringComparison.Ordinal) && l.Contains("not answering at http://127.0.0.1:3", StringComparison.Ordinal));
    }

    [Fact]
    public void Offenders_AreNamedByNode_CountedAndOrderedByTheirFirstMisbehaviour()
    {
        MisbehaviourRecord Record(PrivateKey key, ulong height) => new() { Validator = ByteString.CopyFrom(key.Address.Bytes), Height = height, Kind = "equivocation" };
        var offenders = DevnetNodeStatus.Offenders([Record(B, 40), Record(Outsider, 12), Record(B, 41), Record(B, 39)], Nodes);
        Assert.Equal([(Outsider.Address.ToString(), 1, 12UL), ("dmo", 3, 39UL)], offenders);
        Assert.Empty(DevnetNodeStatus.Offenders([], Nodes));
    }

    [Fact]
    public void Endpoints_AreReadFromNodesTsv_AndNoneWithoutIt()
    {
        var dir = Directory.CreateTempSubdirectory("p2pe-devnet-nodes-").FullName;
        try
        {
            Assert.Empty(DevnetNodeStatus.ReadEndpoints(dir));
            File.WriteAllText(Path.Combine(dir, DevnetNodeStatus.NodesFile),
                "utility\tvalidator\thttp://127.0.0.1:5000\thttp://127.0.0.1:5001\thttp://127.0.0.1:5002\t127.0.0.1:5003\t/d/utility\t42\n"
                + "observer\tobserver\thttp://127.0.0.1:6000\thttp://127.0.0.1:6001\thttp://127.0.0.1:6002\t127.0.0.1:6003\t/d/observer\t43\n");
            var endpoints = DevnetNodeStatus.ReadEndpoints(dir);
            Assert.Equal([("utility", "validator", new Uri("http://127.0.0.1:5000")), ("observer", "observer", new Uri("http://127.0.0.1:6000"))], endpoints);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
