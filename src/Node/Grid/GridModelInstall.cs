using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// Installing a grid model, at genesis or by UpdateGridModel: the file must load, every registered meter must sit
/// on one of its service points, and every contract already committed for the intervals it will govern must still
/// fit — otherwise the update is refused with the list of conflicts (element, interval, value, limit).
/// </summary>
public static class GridModelInstall
{
    /// <summary>Most conflicts one refusal lists; the count of the rest follows.</summary>
    public const int MaxListedConflicts = 20;

    public static void Install(StateOverlay state, ulong effectiveFrom, byte[] file, Hash32 hash)
    {
        GridModel model;
        try { model = GridModel.Load(file); }
        catch (GridModelException e) { throw new LedgerRejection(ReasonCodes.InvalidArgument, $"grid model: {e.Message}"); }
        if (GridState.Models(state).Any(m => m.EffectiveFrom == effectiveFrom))
            throw new LedgerRejection(ReasonCodes.AlreadyExists, $"a grid model is already installed from {IsoTime.Format(effectiveFrom)}; choose another interval");
        foreach (var (_, bytes) in state.Scan(StateKeys.MeterPrefix))
        {
            var meter = MeterState.Parser.ParseFrom(bytes.AsSpan());
            try { model.RequireServicePoint(meter.GridNode, meter.Meter); }
            catch (GridModelException e) { throw new LedgerRejection(ReasonCodes.InvalidArgument, $"grid model: {e.Message}"); }
        }
        var conflicts = Conflicts(state, effectiveFrom, model);
        if (conflicts.Count > 0)
        {
            var listed = string.Join("; ", conflicts.Take(MaxListedConflicts));
            var more = conflicts.Count > MaxListedConflicts ? $"; and {conflicts.Count - MaxListedConflicts} more" : "";
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"the grid model does not accept contracts already committed ({conflicts.Count} conflicts): {listed}{more}");
        }
        GridState.InstallModel(state, effectiveFrom, file, hash);
    }

    /// <summary>
    /// Every limit the committed contracts would break under <paramref name="model"/>, in interval order, over the
    /// intervals it would govern: from <paramref name="effectiveFrom"/> until the next installed model takes over.
    /// </summary>
    public static List<string> Conflicts(IStateReader state, ulong effectiveFrom, GridModel model)
    {
        ulong until = GridState.Models(state).Select(m => m.EffectiveFrom).Where(v => v > effectiveFrom).DefaultIfEmpty(ulong.MaxValue).First();
        var intervals = new SortedSet<ulong>();
        foreach (var (key, _) in state.Scan(GridState.InjectionPrefix))
        {
            var interval = StateKeys.ParseNumber(key.AsSpan(GridState.InjectionPrefix.Length)).Value;
            if (interval >= effectiveFrom && interval < until) intervals.Add(interval);
        }
        var conflicts = new List<string>();
        foreach (var interval in intervals)
        {
            try { conflicts.AddRange(FlowBookBuilder.Build(state, interval, model).Violations()); }
            catch (GridRangeException range) { conflicts.Add(range.Violation.Message); } // flows the model cannot even represent
        }
        return conflicts;
    }
}
