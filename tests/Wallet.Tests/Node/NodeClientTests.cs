using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Node;

/// <summary>
/// How a failed call becomes the wallet's exit code and reason (docs/wallet.md): a node that is gone or going is
/// NODE_UNREACHABLE's exit code whatever the reason, a refusal is Rejected with the node's own reason code.
/// </summary>
public class NodeClientTests
{
    private static readonly Uri Url = new("http://127.0.0.1:5999");

    private static WalletException Translated(RpcException e)
    {
        using var client = new NodeClient(Url);
        return client.Translate(e);
    }

    [Fact]
    public void NoAnswer_IsNodeUnreachable_NamingTheUrl()
    {
        var e = Translated(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.")));
        Assert.Equal((ExitCode.NodeUnreachable, "NODE_UNREACHABLE"), (e.ExitCode, e.Reason));
        Assert.Contains(Url.ToString(), e.Message);
    }

    [Fact]
    public void NodeShuttingDown_IsTheUnreachableExitCode_WithTheNodesReason()
    {
        // A watch the node's stop ended: the transaction was not refused, the node went away (retry elsewhere).
        var e = Translated(Refusal.Of(ApiReasons.ShuttingDown, "the node is shutting down"));
        Assert.Equal((ExitCode.NodeUnreachable, "SHUTTING_DOWN"), (e.ExitCode, e.Reason));
        Assert.Contains("the node is shutting down", e.Message);
        Assert.Contains(Url.ToString(), e.Message);
    }

    [Fact]
    public void Refusal_IsRejected_WithTheNodesReasonAndMessage()
    {
        var e = Translated(Refusal.Of(ApiReasons.UnknownMeter, "meter 'M' is not registered"));
        Assert.Equal((ExitCode.Rejected, "UNKNOWN_METER", "meter 'M' is not registered"), (e.ExitCode, e.Reason, e.Message));
    }
}
