using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// Flow books from state: a fresh book of an interval (the baseline and every meter's net contracted export) and a
/// registered meter's place in the model. Pure: the committed books a node keeps between blocks are the host's cache.
/// </summary>
public static class FlowBookBuilder
{
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
