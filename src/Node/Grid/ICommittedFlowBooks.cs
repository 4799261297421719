using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The flow books of committed state that a node keeps between blocks (the host's cache): a block reads them, takes out
/// the ones it updates and hands its own back once it commits. Never changes an outcome: a miss costs a rebuild.
/// </summary>
public interface ICommittedFlowBooks
{
    /// <summary>The book held for <paramref name="interval"/> if it was built for this model and revision; null otherwise.</summary>
    FlowBook? TryGet(ulong interval, GridModel? model, Hash32 revision);

    /// <summary>Holds <paramref name="book"/> as the book of its interval at <paramref name="revision"/> of committed state.</summary>
    void Put(ulong interval, FlowBook book, Hash32 revision);

    /// <summary>Removes <paramref name="book"/> if it is the one held for its interval, so it can be changed in place.</summary>
    void Take(FlowBook book);
}
