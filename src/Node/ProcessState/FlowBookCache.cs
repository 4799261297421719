using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// Flow books of committed state, keyed by interval, each held with the model hash and the interval's revision (a
/// hash chain over its history, <see cref="GridState.AdvanceRevision"/>) it was built for; a lookup answers only when
/// both equal state's. Only committed books enter it: a block's new and updated books wait in its
/// <see cref="FlowBookLayer"/> until the block commits. A block that updates a book takes it out first
/// (<see cref="Take"/>): a removal can only cost a rebuild, and the updated book comes back only when the block
/// commits. Bounded by memory (least recently used first out): a small model keeps a month of interval books, a
/// 10,000-node one (≈ 1.3 MB a book) about two hundred. Not thread-safe: one executor, or one reader under a lock.
/// </summary>
public sealed class FlowBookCache(long memoryBudgetBytes = 256L << 20) : ICommittedFlowBooks
{
    private readonly Dictionary<ulong, (FlowBook Book, Hash32? Model, Hash32 Revision, long Used)> _books = [];
    private long _clock, _bytes;

    /// <summary>The flow book of <paramref name="interval"/> as committed <paramref name="state"/> has it (remembered on a miss).</summary>
    public FlowBook Get(IStateReader state, ulong interval)
    {
        var model = FlowBookBuilder.ModelAt(state, interval);
        var revision = GridState.RevisionOf(state, interval);
        if (TryGet(interval, model, revision) is { } book) return book;
        book = FlowBookBuilder.Build(state, interval, model);
        Put(interval, book, revision);
        return book;
    }

    /// <summary>The book held for <paramref name="interval"/> if it was built for this model and revision; null otherwise.</summary>
    public FlowBook? TryGet(ulong interval, GridModel? model, Hash32 revision)
    {
        if (!_books.TryGetValue(interval, out var entry)) return null;
        if (!entry.Book.Consistent)
        {
            Forget(interval);
            return null;
        }
        if (entry.Model != model?.Hash || entry.Revision != revision) return null;
        _books[interval] = entry with { Used = ++_clock };
        return entry.Book;
    }

    /// <summary>Holds <paramref name="book"/> as the book of its interval at <paramref name="revision"/> of committed state.</summary>
    public void Put(ulong interval, FlowBook book, Hash32 revision)
    {
        Forget(interval);
        while (_books.Count > 0 && _bytes + book.ApproximateBytes > memoryBudgetBytes)
        {
            ulong oldest = 0;
            long least = long.MaxValue;
            foreach (var (key, value) in _books)
                if (value.Used < least) { least = value.Used; oldest = key; }
            Forget(oldest);
        }
        _books[interval] = (book, book.Model?.Hash, revision, ++_clock);
        _bytes += book.ApproximateBytes;
    }

    /// <summary>Removes <paramref name="book"/> if it is the one held for its interval, so it can be changed in place.</summary>
    public void Take(FlowBook book)
    {
        if (_books.TryGetValue(book.Interval, out var entry) && ReferenceEquals(entry.Book, book)) Forget(book.Interval);
    }

    /// <summary>Drops an interval's book.</summary>
    public void Forget(ulong interval)
    {
        if (_books.Remove(interval, out var entry)) _bytes -= entry.Book.ApproximateBytes;
    }

    /// <summary>Books held now.</summary>
    public int Count => _books.Count;
}
