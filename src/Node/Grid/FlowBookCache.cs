using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// In-memory flow books keyed by interval, rebuilt from state on demand. State is the truth: a cached book is used
/// only while its model hash and the interval's revision counter match state, so a transaction whose writes were
/// discarded, or a block executed but never committed, at worst costs a rebuild — never a different outcome.
/// Bounded by memory (least recently used first out): a small model keeps a month of interval books, a 10,000-node
/// one (≈ 1.3 MB a book) about two hundred.
/// </summary>
public sealed class FlowBookCache(long memoryBudgetBytes = 256L << 20)
{
    private readonly Dictionary<ulong, (FlowBook Book, Hash32? Model, long Revision, long Used)> _books = [];
    private long _clock, _bytes;

    /// <summary>The flow book of <paramref name="interval"/> as <paramref name="state"/> has it.</summary>
    public FlowBook Get(IStateReader state, ulong interval) => Get(state, interval, ModelAt(state, interval));

    /// <summary>As <see cref="Get(IStateReader, ulong)"/>, with the model in force already looked up by the caller.</summary>
    public FlowBook Get(IStateReader state, ulong interval, GridModel? model)
    {
        long revision = GridState.RevisionOf(state, interval);
        if (_books.TryGetValue(interval, out var entry) && entry.Model == model?.Hash && entry.Revision == revision)
        {
            _books[interval] = entry with { Used = ++_clock };
            return entry.Book;
        }
        var book = Build(state, interval, model);
        Remember(interval, book, revision);
        return book;
    }

    /// <summary>Records that <paramref name="book"/> (already updated in memory) matches the state at <paramref name="revision"/>.</summary>
    public void Remember(ulong interval, FlowBook book, long revision)
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

    /// <summary>Drops an interval's book, e.g. before mutating it in place, so a failure midway cannot leave it stale.</summary>
    public void Forget(ulong interval)
    {
        if (_books.Remove(interval, out var entry)) _bytes -= entry.Book.ApproximateBytes;
    }

    /// <summary>Books held now.</summary>
    public int Count => _books.Count;

    /// <summary>The model in force at <paramref name="interval"/>.</summary>
    public GridModel? ModelAt(IStateReader state, ulong interval) => InstalledModels.At(state, interval);

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
