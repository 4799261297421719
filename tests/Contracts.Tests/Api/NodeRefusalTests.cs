using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using P2PEnergy.Contracts.Api;

namespace P2PEnergy.Contracts.Tests.Api;

/// <summary>The one place a client turns an RpcException into our reason code and message.</summary>
public class NodeRefusalTests
{
    private static RpcException WithInfo(StatusCode code, string message, string reason, string domain) => new Google.Rpc.Status
    {
        Code = (int)code, Message = message, Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = domain }) },
    }.ToRpcException();

    [Fact]
    public void ErrorInfoOfOurDomain_GivesItsReason_AndTheMessage()
        => Assert.Equal(new NodeRefusal("UNKNOWN_METER", "meter 'M' is not registered", StatusCode.NotFound),
            NodeRefusal.Of(WithInfo(StatusCode.NotFound, "meter 'M' is not registered", "UNKNOWN_METER", ApiReasons.Domain)));

    [Fact]
    public void ErrorInfoOfAnotherDomain_IsNotTakenForOurs()
        => Assert.Equal("PERMISSION_DENIED", NodeRefusal.Of(WithInfo(StatusCode.PermissionDenied, "no", "UNKNOWN_METER", "googleapis.com")).Code);

    [Fact]
    public void NoDetails_GivesTheStatusName_LikeUnreachable()
    {
        var refusal = NodeRefusal.Of(new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")));
        Assert.Equal(("DEADLINE_EXCEEDED", "Deadline Exceeded"), (refusal.Code, refusal.Message));
    }

    [Fact]
    public void EveryReason_HasAShoutingSnakeCode_AndAFailureStatus()
    {
        var reasons = typeof(ApiReasons).GetFields().Where(f => f.FieldType == typeof(ApiReason)).Select(f => (ApiReason)f.GetValue(null)!).ToList();
        Assert.True(reasons.Count >= 15);
        Assert.Equal(reasons.Count, reasons.Select(r => r.Code).Distinct().Count());
        Assert.All(reasons, r => Assert.Matches("^[A-Z][A-Z0-9_]+$", r.Code));
        Assert.All(reasons, r => Assert.NotEqual(StatusCode.OK, r.Status));
    }
}
