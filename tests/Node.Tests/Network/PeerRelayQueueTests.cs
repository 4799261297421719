using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Network;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// The inbound queue of relayed transactions is bounded per peer (issue 15 "Bounded resources"): past its byte bound it
/// drops its oldest frames, counts them and keeps the newest; it hands frames out in the order they came; closing it
/// ends its reader.
/// </summary>
public sealed class PeerRelayQueueTests
{
    private static PeerTransactions Frame(byte tag) => new() { Transactions = { ByteString.CopyFrom([tag]) } };

    [Fact]
    public async Task AFullRelayQueue_DropsItsOldestFrames_CountsThem_AndKeepsTheNewest()
    {
        var queue = new PeerRelayQueue(maxBytes: 250);
        Assert.True(queue.Post(Frame(1), 100));
        Assert.True(queue.Post(Frame(2), 100));
        Assert.False(queue.Post(Frame(3), 100)); // 300 > 250: frame 1 goes
        Assert.False(queue.Post(Frame(4), 1000)); // over the bound alone: everything older goes, it stays
        Assert.Equal(3, queue.Dropped);
        Assert.Equal(1, queue.Count);
        Assert.Equal(4, (await queue.TakeAsync(CancellationToken.None))!.Transactions[0][0]);
    }

    [Fact]
    public async Task RelayedFrames_AreTakenInTheOrderTheyCame()
    {
        var queue = new PeerRelayQueue(maxBytes: 1000);
        for (byte b = 1; b <= 3; b++) queue.Post(Frame(b), 10);
        var taken = new List<byte>();
        for (int i = 0; i < 3; i++) taken.Add((await queue.TakeAsync(CancellationToken.None))!.Transactions[0][0]);
        Assert.Equal([(byte)1, 2, 3], taken);
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public async Task AClosedRelayQueue_EndsItsReader_AndTakesNothingMore()
    {
        var queue = new PeerRelayQueue(maxBytes: 1000);
        var waiting = queue.TakeAsync(CancellationToken.None);
        queue.Close();
        Assert.Null(await waiting);
        Assert.False(queue.Post(Frame(1), 10));
        Assert.Null(await queue.TakeAsync(CancellationToken.None));
    }
}
