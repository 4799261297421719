using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;

namespace P2PEnergy.Node.Tests.Api;

public sealed class LatestBlockTests
{
    private static Block BlockAt(ulong height) => new() { Header = new BlockHeader { Height = height } };

    private static void Publish(BlockFeed feed, Block block) => feed.Publish(new CommittedBlock(block, Hash32.Zero, []));

    [Fact]
    public void At_TheHeightJustAnnounced_IsTheCommittedBlockItself()
    {
        var feed = new BlockFeed(0);
        var latest = new LatestBlock(feed);
        var block = BlockAt(1);
        Publish(feed, block);

        Assert.Same(block, latest.At(1));
    }

    // Any other height is read from the store: the cache holds one block and never answers for another.
    [Fact]
    public void At_AnyOtherHeight_IsNull_SoTheStoreIsRead()
    {
        var feed = new BlockFeed(0);
        var latest = new LatestBlock(feed);
        Assert.Null(latest.At(1)); // nothing announced yet
        Publish(feed, BlockAt(1));
        Publish(feed, BlockAt(2));

        Assert.Null(latest.At(1)); // replaced by the next commit
        Assert.Null(latest.At(3)); // not committed yet
        Assert.Equal(2ul, latest.At(2)!.Header.Height);
    }
}
