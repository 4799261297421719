using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The flow books one block builds or changes while it executes: its later transactions see them, the committed
/// <see cref="ICommittedFlowBooks"/> does not until <see cref="Publish"/>, which the engine calls once the block is stored.
/// A block that is never committed (a failed store commit, an abandoned proposal) is dropped with its layer; what it
/// took from the committed cache to update is rebuilt from state when next needed. Single-threaded, like execution.
/// </summary>
public sealed class FlowBookLayer(ICommittedFlowBooks committed)
{
    // Books this block owns (built here, or taken from the committed cache and updated), keyed by interval.
    private readonly Dictionary<ulong, (FlowBook Book, Hash32? Model, Hash32 Revision)> _own = [];

    /// <summary>
    /// The book of <paramref name="interval"/> as <paramref name="state"/> (the block's overlay) has it, for a check:
    /// the caller may not change it (it can be the committed cache's).
    /// </summary>
    public FlowBook Read(IStateReader state, ulong interval, GridModel? model)
    {
        var revision = GridState.RevisionOf(state, interval);
        if (Own(interval, model, revision) is { } own) return own;
        if (committed.TryGet(interval, model, revision) is { } shared) return shared;
        var built = FlowBookBuilder.Build(state, interval, model);
        _own[interval] = (built, model?.Hash, revision);
        return built;
    }

    /// <summary>
    /// Takes <paramref name="book"/> (as <see cref="Read"/> returned it) out of the layer, or out of the committed cache,
    /// to update it; hand it back with <see cref="Updated"/>. Until then nobody can find it, so an update that throws
    /// midway leaves no half-changed book behind, and the committed cache only sees the updated book if the block
    /// commits (taking it out can only cost a rebuild).
    /// </summary>
    public FlowBook TakeForUpdate(FlowBook book)
    {
        if (_own.TryGetValue(book.Interval, out var own) && ReferenceEquals(own.Book, book))
        {
            _own.Remove(book.Interval);
            return book;
        }
        committed.Take(book);
        return book;
    }

    /// <summary>Holds <paramref name="book"/> as the block's book of its interval at <paramref name="revision"/>.</summary>
    public void Updated(FlowBook book, Hash32 revision) => _own[book.Interval] = (book, book.Model?.Hash, revision);

    /// <summary>Books the layer holds now.</summary>
    public int Count => _own.Count;

    /// <summary>
    /// Hands the block's books to the committed cache: call only after the block's state is committed. Each is keyed by
    /// the revision it was built for, so one whose transaction was refused after all (its revision never reached state)
    /// is never found by a lookup.
    /// </summary>
    public void Publish()
    {
        foreach (var (interval, entry) in _own)
            if (entry.Book.Consistent) committed.Put(interval, entry.Book, entry.Revision);
        _own.Clear();
    }

    private FlowBook? Own(ulong interval, GridModel? model, Hash32 revision)
    {
        if (!_own.TryGetValue(interval, out var entry)) return null;
        if (!entry.Book.Consistent)
        {
            _own.Remove(interval);
            return null;
        }
        return entry.Model == model?.Hash && entry.Revision == revision ? entry.Book : null;
    }
}
