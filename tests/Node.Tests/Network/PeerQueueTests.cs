using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// Bounded resources per peer (issue 15): the outbound queue drops its oldest frame when full and counts it, sends
/// consensus before transactions and batches transactions; the rate limit holds one second's burst on the injected
/// clock; the reconnect wait doubles to its cap and starts over after a connection; the dedup set forgets the oldest.
/// </summary>
public sealed class PeerQueueTests
{
    private static PeerFrame Status(ulong height) => new() { Consensus = new ConsensusMessage { Status = new HeightStatus { Height = height } } };

    [Fact]
    public async Task AFullOutbox_DropsItsOldestFrame_AndCountsIt_NeverBlockingTheSender()
    {
        var outbox = new PeerOutbox(capacity: 3, maxBatchBytes: 1024);
        for (ulong h = 1; h <= 5; h++) outbox.Post(Status(h));
        Assert.Equal(2, outbox.Dropped);
        Assert.Equal(3, outbox.Count);
        var sent = new List<ulong>();
        for (int i = 0; i < 3; i++) sent.Add((await outbox.TakeAsync(CancellationToken.None))!.Consensus.Status.Height);
        Assert.Equal([3UL, 4, 5], sent);
    }

    [Fact]
    public async Task ConsensusFramesGoFirst_ThenTransactionsInBatchesUnderTheByteLimit()
    {
        var outbox = new PeerOutbox(capacity: 100, maxBatchBytes: 100);
        for (int i = 0; i < 5; i++) outbox.PostTransaction(new byte[40]);
        outbox.Post(Status(9));
        Assert.Equal(9UL, (await outbox.TakeAsync(CancellationToken.None))!.Consensus.Status.Height);
        var batches = new List<int>();
        while (outbox.Count > 0) batches.Add((await outbox.TakeAsync(CancellationToken.None))!.Transactions.Transactions.Count);
        Assert.Equal([2, 2, 1], batches); // 2 × (40 + 8) ≤ 100 < 3 × 48
    }

    [Fact]
    public async Task QueuedTransactions_WaitForTheWake_ThenLeaveAsOneFrame()
    {
        var outbox = new PeerOutbox(capacity: 100, maxBatchBytes: 1024);
        var waiting = outbox.TakeAsync(CancellationToken.None);
        for (int i = 0; i < 5; i++) outbox.QueueTransaction(new byte[40]);
        Assert.False(waiting.IsCompleted); // the writer sleeps while the batch is being queued

        outbox.Wake();

        Assert.Equal(5, (await waiting)!.Transactions.Transactions.Count);
        Assert.Equal(1, outbox.TransactionFrames);
        // A wake with nothing queued since the last does not wake the writer.
        var next = outbox.TakeAsync(CancellationToken.None);
        outbox.Wake();
        Assert.False(next.IsCompleted);
        outbox.Post(Status(2));
        Assert.Equal(2UL, (await next)!.Consensus.Status.Height);
    }

    [Fact]
    public async Task QueuedTransactions_LeaveWithTheNextConsensusFrame_EvenWithoutAWake()
    {
        var outbox = new PeerOutbox(capacity: 100, maxBatchBytes: 1024);
        var waiting = outbox.TakeAsync(CancellationToken.None);
        outbox.QueueTransaction(new byte[40]);
        outbox.Post(Status(3));
        Assert.Equal(3UL, (await waiting)!.Consensus.Status.Height);
        Assert.Single((await outbox.TakeAsync(CancellationToken.None))!.Transactions.Transactions);
    }

    [Fact]
    public async Task AClosedOutbox_EndsItsReader_AndTakesNothingMore()
    {
        var outbox = new PeerOutbox(capacity: 4, maxBatchBytes: 1024);
        var waiting = outbox.TakeAsync(CancellationToken.None);
        outbox.Close();
        Assert.Null(await waiting);
        Assert.False(outbox.Post(Status(1)));
        Assert.Equal(0, outbox.Count);
    }

    [Fact]
    public void TheRateLimit_AllowsOneSecondsBurst_ThenRefillsWithTheClock()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var limit = new PeerRateLimit(perSecond: 10, clock);
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => limit.TryTake()));
        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, Enumerable.Range(0, 20).Count(_ => limit.TryTake()));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => limit.TryTake()));
    }

    [Fact]
    public void TheReconnectWait_DoublesFrom250Ms_UpToItsCap_AndStartsOverAfterAConnection()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(3));
        var waits = Enumerable.Range(0, 7).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        Assert.Equal([250.0, 500, 1000, 2000, 3000, 3000, 3000], waits);
        backoff.Reset();
        Assert.Equal(250, backoff.Next().TotalMilliseconds);
    }

    [Fact]
    public void TheDedupSet_RemembersTheLastItemsOnly()
    {
        var seen = new RecentSet<int>(capacity: 3);
        Assert.True(seen.Add(1));
        Assert.False(seen.Add(1));
        foreach (int i in new[] { 2, 3, 4 }) Assert.True(seen.Add(i));
        Assert.Equal(3, seen.Count);
        Assert.False(seen.Contains(1));
        Assert.True(seen.Add(1)); // forgotten, so new again
    }
}
