using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;

namespace P2PEnergy.Node.Tests.Consensus;

/// <summary>
/// The feed's order: a block is announced to its subscribers (metrics, readiness, the latest block, the validators in
/// force) before any waiter for it is released, so whoever a commit wakes finds their view of it in place.
/// </summary>
public sealed class BlockFeedTests
{
    private static CommittedBlock At(ulong height) => new(new Block { Header = new BlockHeader { Height = height } }, Hash32.Zero, []);

    [Fact]
    public async Task Subscribers_SeeTheBlock_BeforeAnyWaiterIsReleased_OrTheHeightMoves()
    {
        var feed = new BlockFeed(0);
        var waiter = feed.WaitForHeightAsync(1, CancellationToken.None);
        var seen = new List<(ulong Block, ulong FeedHeight, bool WaiterReleased, bool NewWaiterReleased)>();
        feed.Committed += block =>
        {
            var late = feed.WaitForHeightAsync(1, CancellationToken.None); // a waiter that arrives while subscribers run
            seen.Add((block.Height, feed.Height, waiter.IsCompleted, late.IsCompleted));
        };

        feed.Publish(At(1));

        Assert.Equal([(1UL, 0UL, false, false)], seen);
        Assert.Equal(1UL, feed.Height);
        await waiter.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(feed.WaitForHeightAsync(1, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ASubscriberThatThrows_StillReleasesTheWaiters_TheBlockIsStored()
    {
        var feed = new BlockFeed(4);
        var waiter = feed.WaitForHeightAsync(5, CancellationToken.None);
        feed.Committed += _ => throw new InvalidOperationException("a subscriber's bug");

        var thrown = Assert.Throws<InvalidOperationException>(() => feed.Publish(At(5)));

        Assert.Equal("a subscriber's bug", thrown.Message);
        Assert.Equal(5UL, feed.Height);
        await waiter.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
