using Google.Protobuf;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Service <c>p2pe.v1.Grid</c>: the flow book of an interval as committed state has it (GetGridStatus) and a meter's
/// hosting capacity (GetHostingCapacity). Reads only; its own flow-book cache, rebuilt whenever state moves on.
/// </summary>
public sealed class GridService(ILedgerStore store, ChainParameters parameters) : Contracts.Protos.Grid.GridBase
{
    private readonly FlowBookCache _cache = new(memoryBudgetBytes: 32L << 20);
    private readonly Lock _lock = new();

    public override Task<GridStatus> GetGridStatus(GetGridStatusRequest request, ServerCallContext context)
    {
        RequireAligned(request.IntervalStart);
        // Under the lock: a hosting-capacity search applies and undoes trial contracts on the same cached book.
        lock (_lock) return Task.FromResult(Status(request.IntervalStart));
    }

    private GridStatus Status(ulong interval)
    {
        var (book, height) = Book(interval);
        var status = new GridStatus { IntervalStart = interval, Height = height };
        if (book.Model is not { } model) return status;
        status.ModelHash = ByteString.CopyFrom(model.Hash.Bytes);
        status.MinVoltageMicroPu = Micro(book.MinVoltageSquared);
        status.MaxVoltageMicroPu = Micro(book.MaxVoltageSquared);
        status.VMinMicroPu = Micro(model.VMinSquared);
        status.VMaxMicroPu = Micro(model.VMaxSquared);
        for (int i = 0; i < model.Count; i++)
        {
            long p = book.FlowW(i), q = book.FlowVar(i), rating = model.Rating[i], flow = Flow(book, model, i);
            status.Elements.Add(new GridElementStatus
            {
                Element = model.Ids[i], Kind = model.Kinds[i].ToString(), Parent = i == 0 ? "" : model.Ids[model.Parent[i]],
                ActiveW = p, ReactiveVar = q, Rating = rating, RatingUnit = model.RatingIsApparent[i] ? "VA" : "W",
                Headroom = i == 0 ? 0 : rating - flow, VoltageMicroPu = Micro(book.VoltageSquared(i)),
            });
        }
        return status;
    }

    /// <summary>
    /// The most loaded branch in <paramref name="interval"/>'s flow book (committed state): its element and its flow as
    /// per cent of its rating, for the operator's metrics (never consensus); null without a grid model.
    /// </summary>
    public (string Element, double Percent)? MostLoaded(ulong interval)
    {
        lock (_lock)
        {
            var (book, _) = Book(interval);
            if (book.Model is not { } model) return null;
            (string Element, double Percent)? most = null;
            for (int i = 1; i < model.Count; i++)
            {
                if (model.Rating[i] <= 0) continue;
                double percent = 100.0 * Flow(book, model, i) / model.Rating[i];
                if (most is null || percent > most.Value.Percent) most = (model.Ids[i], percent);
            }
            return most;
        }
    }

    /// <summary>The branch's flow in its rating's unit: |P| in W, or √(P² + Q²) in VA.</summary>
    private static long Flow(FlowBook book, GridModel model, int i)
    {
        long p = book.FlowW(i), q = book.FlowVar(i);
        return model.RatingIsApparent[i] ? (long)LinDistFlow.IntegerSqrt((Int128)p * p + (Int128)q * q) : Math.Abs(p);
    }

    public override Task<HostingCapacity> GetHostingCapacity(GetHostingCapacityRequest request, ServerCallContext context)
    {
        RequireAligned(request.IntervalStart);
        var meterState = store.Get(StateKeys.Meter(request.Meter)) is { } bytes ? MeterState.Parser.ParseFrom(bytes.AsSpan())
            : throw Refusal.Of(ApiReasons.UnknownMeter, $"meter '{request.Meter}' is not registered");
        lock (_lock)
        {
            var (book, height) = Book(request.IntervalStart);
            var meter = FlowBookBuilder.Point(meterState, book.Model);
            var (export, exportLimit) = HostingCapacitySearch.Export(book, meter);
            var (import, importLimit) = HostingCapacitySearch.Import(book, meter);
            return Task.FromResult(new HostingCapacity
            {
                Meter = request.Meter, IntervalStart = request.IntervalStart, Height = height, ExportW = export, ImportW = import,
                ExportLimitedBy = exportLimit is null ? "" : $"{exportLimit.Code}: {exportLimit.Message}",
                ImportLimitedBy = importLimit is null ? "" : $"{importLimit.Code}: {importLimit.Message}",
            });
        }
    }

    private (FlowBook Book, ulong Height) Book(ulong interval)
    {
        lock (_lock)
        {
            // Height first: a commit between the two reads makes the book newer than the height, never older.
            var height = store.Height;
            return (_cache.Get(new StateOverlay(store, DecodedStateCache.Process), interval), height); // the process's parsed models
        }
    }

    private void RequireAligned(ulong interval)
    {
        if (!Interval.IsAligned(interval, parameters.IntervalSeconds))
            throw Refusal.Of(ApiReasons.UnalignedInterval, "interval_start " + Interval.Misaligned(interval, parameters.IntervalSeconds));
    }

    private static ulong Micro(long voltageSquared) => (ulong)LinDistFlow.IntegerSqrt(Math.Max(0, voltageSquared));
}
