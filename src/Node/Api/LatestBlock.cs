using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;

namespace P2PEnergy.Node.Api;

/// <summary>
/// The block a <see cref="BlockFeed"/> announced last, as committed: a stream that follows the chain's tip (explorers,
/// the load generator's StreamBlocks) sends it from memory instead of reading it back from the store and parsing it
/// again (a copy of every transaction's bytes per block and subscriber). One block only, replaced at each commit, so
/// a slow reader still holds no more than the block it is writing; any older height is read from the store.
/// </summary>
public sealed class LatestBlock
{
    private Block? _block;

    public LatestBlock(BlockFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        feed.Committed += committed => Volatile.Write(ref _block, committed.Block);
    }

    /// <summary>The last announced block when it is the one at <paramref name="height"/>, else null (read the store).</summary>
    public Block? At(ulong height) => Volatile.Read(ref _block) is { Header: { } header } block && header.Height == height ? block : null;
}
