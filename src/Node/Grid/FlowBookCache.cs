using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// Flow books of committed state, keyed by interval, each held with the model hash and the interval's revision (a
/// hash chain over its history, <see cref="GridState.AdvanceRevision"/>) it was built for; a lookup answers only when
/// both equal state's. Only committed books enter it: a block's new and updated books wait in its
/// <see cref="FlowBookLayer"/> until the block commits. A block that updates a book takes it out first
/// (<see cref="Take"/>): a removal can only cost a rebuild, and the updated book comes back only when the block
/// commits. Bounded by memory (least recently used first out): a small model keeps a month of interval books, a
/// 10,000-node one (≈ 1.3 MB a book) about two hundred. Not thread-safe: one executor, or one reader under a lock.
/// </summary>
public sealed class FlowBookCache(long memoryBudgetBytes = 256L << 20)
{
    private readonly Dictionary<ulong, (FlowBook Book, Hash32? Model, Hash32 Revision, long Used)> _books = [];
    private long _clock, _bytes;

    /// <summary>The flow book of <paramref name="interval"/> as committed <paramref name="state"/> has it (remembered on a miss).</summary>
    public FlowBook Get(IStateReader state, ulong interval)
    {
        var model = ModelAt(state, interval);
        var revision = GridState.RevisionOf(state, interval);
        if (TryGet(interval, model, revision) is { } book) return book;
        book = Build(state, interval, model);
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

    /// <summary>The model in force at <paramref name="interval"/>.</summary>
    public static GridModel? ModelAt(IStateReader state, ulong interval) => InstalledModels.At(state, interval);

    /// <summary>A fresh book from state: the baseline and every meter's net contracted export.</summary>
    public static FlowBook Build(IStateReader state, ulong interval, GridModel? model)
    {
        var baseline = new List<(int, long, long)>();
        if (model is not null)
            foreach (var entry in GridState.Baseline(state, interval))
                if (model.IndexOf(entry.Element) is var node and >= 0) baseline.Add((node, entry.ActiveW, entry.ReactiveVar));
        var injections = new List<(MeterPoint, long)>();
        foreach (var (meter, net) in GridState.Injections(state, interval))
        {
            var meterState = state.Get(StateKeys.Meter(meter)) is { } bytes ? MeterState.Parser.ParseFrom(bytes.AsSpan())
                : throw new InvalidOperationException($"flow book of {interval} holds unregistered meter {meter}");
            injections.Add((Point(meterState, model), net));
        }
        return new FlowBook(model, interval, baseline, injections);
    }

    private static readonly long[] TanByPowerFactor = BuildTanTable();

    /// <summary>A registered meter located in <paramref name="model"/> (node -1 when there is no model).</summary>
    public static MeterPoint Point(MeterState meter, GridModel? model)
    {
        int node = -1;
        if (model is not null)
        {
            node = model.IndexOf(meter.GridNode);
            // Installing a model checks every registered meter's node and registering checks every model, so this
            // only trips on a state that bypassed the handlers.
            if (node < 0) throw new InvalidOperationException($"meter {meter.Meter}: grid node '{meter.GridNode}' is not in model {model.Hash}");
        }
        return new MeterPoint(meter.Meter, node, TanByPowerFactor[Math.Min(meter.PowerFactorMilli, 1000u)], meter.ImportLimitW, meter.ExportLimitW);
    }

    private static long[] BuildTanTable()
    {
        var table = new long[1001];
        for (uint pf = 0; pf <= 1000; pf++) table[pf] = LinDistFlow.TanMicro(pf);
        return table;
    }
}
