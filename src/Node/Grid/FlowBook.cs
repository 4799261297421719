using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The flow book of one interval: the signed active and reactive power on every branch (positive towards the
/// parent) = the planner's baseline + every committed contract, each meter's net contracted export, and every
/// node's LinDistFlow v². A contract is an injection at the seller's meter and a withdrawal at the buyer's, so its
/// power runs up from the seller to the lowest common ancestor and down to the buyer, and opposite flows net.
/// All integers; the result is a function of the set of contracts, never of their order. A flow or voltage beyond its
/// 64-bit range is a refusal naming the element, the interval and the range (<see cref="GridRangeException"/>), never
/// an overflow: a check returns it, building a book throws it.
/// </summary>
public sealed class FlowBook
{
    private readonly long[] _p, _q;
    // Each branch's present v² rise, so a check computes only the new one.
    private readonly long[] _riseNow;
    private readonly int[] _end;
    private readonly VoltageTree? _voltages;
    private readonly Dictionary<string, long> _meterNet = new(StringComparer.Ordinal);
    // Branches a check touches: (node, new P, new Q, change of v² rise). A path plus a root path fits in 2 × depth + 2.
    private readonly int[] _node;
    private readonly long[] _newP, _newQ, _rise, _undo;
    // Each touched branch's new total rise, exact: bounded only after the thermal checks, which come first.
    private readonly Int128[] _newRise;

    /// <summary>The model in force for this interval, or null: then only meter limits apply.</summary>
    public GridModel? Model { get; }
    public ulong Interval { get; }

    public FlowBook(GridModel? model, ulong interval, IEnumerable<(int Node, long P, long Q)> baseline, IEnumerable<(MeterPoint Meter, long NetW)> injections)
    {
        Model = model;
        Interval = interval;
        int n = model?.Count ?? 0;
        _p = new long[n];
        _q = new long[n];
        _riseNow = new long[n];
        int path = model is null ? 0 : 2 * model.MaxDepth + 2;
        _node = new int[path];
        _newP = new long[path];
        _newQ = new long[path];
        _rise = new long[path];
        _newRise = new Int128[path];
        _undo = new long[path];
        _end = new int[path];
        foreach (var (meter, net) in injections)
        {
            if (net == 0) continue;
            _meterNet[meter.Id] = MeterFlow(meter, (Int128)MeterNet(meter.Id) + net, "net contracted export", "kW");
            if (model is null || meter.Node <= 0) continue;
            _p[meter.Node] = BranchFlow(meter.Node, (Int128)_p[meter.Node] + net, Active);
            _q[meter.Node] = BranchFlow(meter.Node, (Int128)_q[meter.Node] + MeterReactive(meter, net), Reactive);
        }
        if (model is null) return;
        // Children follow parents in Euler order: sum contract injections up the tree backwards (a branch carries
        // every injection below it), then add the baseline, which the planner states per branch, not per injection.
        for (int i = n - 1; i > 0; i--)
        {
            int up = model.Parent[i];
            if (up <= 0) continue;
            _p[up] = BranchFlow(up, (Int128)_p[up] + _p[i], Active);
            _q[up] = BranchFlow(up, (Int128)_q[up] + _q[i], Reactive);
        }
        foreach (var (node, p, q) in baseline)
        {
            if (node <= 0) continue; // the root has no branch above it
            _p[node] = BranchFlow(node, (Int128)_p[node] + p, Active);
            _q[node] = BranchFlow(node, (Int128)_q[node] + q, Reactive);
        }
        var v = new long[n];
        v[0] = model.SourceSquared;
        for (int i = 1; i < n; i++)
        {
            _riseNow[i] = BoundedRise(i, LinDistFlow.Rise(model, i, _p[i], _q[i]));
            v[i] = checked(v[model.Parent[i]] + _riseNow[i]); // within 64 bits: every rise is bounded (GridModel.MaxBranchRise)
        }
        _voltages = new VoltageTree(v);
    }

    /// <summary>
    /// False once a check or an update threw partway (a bug: ranges are refusals, not exceptions): the book may then
    /// hold half a contract, and caches drop it instead of answering from it.
    /// </summary>
    public bool Consistent { get; private set; } = true;

    /// <summary>Rough heap size of this book, for the cache's memory budget.</summary>
    public long ApproximateBytes => 256 + 24L * _p.Length + (_voltages?.ApproximateBytes ?? 0) + 64L * _meterNet.Count;

    public long FlowW(int node) => _p[node];
    public long FlowVar(int node) => _q[node];
    public long VoltageSquared(int node) => _voltages?.At(node) ?? Model?.SourceSquared ?? 0;
    public long MeterNet(string meter) => _meterNet.TryGetValue(meter, out var net) ? net : 0;
    public long MinVoltageSquared => _voltages?.Min ?? 0;
    public long MaxVoltageSquared => _voltages?.Max ?? 0;

    /// <summary>Whether <paramref name="seller"/> can send <paramref name="powerW"/> to <paramref name="buyer"/> on top of this book.</summary>
    public GridViolation? Check(MeterPoint seller, MeterPoint buyer, long powerW) => Evaluate(seller, buyer, powerW, commit: false);

    /// <summary>Records a contract that <see cref="Check"/> admitted.</summary>
    public void Apply(MeterPoint seller, MeterPoint buyer, long powerW)
    {
        if (Evaluate(seller, buyer, powerW, commit: true) is { } violation)
            throw new InvalidOperationException($"Apply of a contract the flow book refuses: {violation.Message}");
    }

    private GridViolation? Evaluate(MeterPoint seller, MeterPoint buyer, long powerW, bool commit)
    {
        // Cleared until the evaluation returns normally: an exception midway leaves the book marked, never trusted.
        Consistent = false;
        GridViolation? violation;
        // A range refusal comes from the meter sums or the path's new flows and rises, all computed before the book
        // changes: the book is as it was, and the refusal is the check's answer.
        try { violation = Decide(seller, buyer, powerW, commit); }
        catch (GridRangeException range) { violation = range.Violation; }
        Consistent = true;
        return violation;
    }

    private GridViolation? Decide(MeterPoint seller, MeterPoint buyer, long powerW, bool commit)
    {
        long sellerNet = MeterNet(seller.Id), buyerNet = MeterNet(buyer.Id);
        long sellerAfter = MeterFlow(seller, (Int128)sellerNet + powerW, "net contracted export", "kW");
        long buyerAfter = MeterFlow(buyer, (Int128)buyerNet - powerW, "net contracted export", "kW");
        if ((MeterLimit(seller, sellerAfter) ?? MeterLimit(buyer, buyerAfter)) is { } meterViolation) return meterViolation;
        var violation = Model is null ? null : Branches(seller, buyer, powerW, sellerNet, sellerAfter, buyerNet, buyerAfter, commit);
        if (violation is null && commit)
        {
            SetNet(seller.Id, sellerAfter);
            SetNet(buyer.Id, buyerAfter);
        }
        return violation;
    }

    private GridViolation? Branches(MeterPoint seller, MeterPoint buyer, long powerW, long sellerNet, long sellerAfter, long buyerNet, long buyerAfter, bool commit)
    {
        var model = Model!;
        Int128 dqSeller = (Int128)MeterReactive(seller, sellerAfter) - MeterReactive(seller, sellerNet);
        Int128 dqBuyer = (Int128)MeterReactive(buyer, buyerAfter) - MeterReactive(buyer, buyerNet);
        int count = 0;
        int a = seller.Node, b = buyer.Node;
        while (a != b)
        {
            // Climb the deeper side; the seller's side carries the power up, the buyer's side carries it down.
            if (model.Depth[a] >= model.Depth[b]) { Touch(ref count, a, powerW, dqSeller); a = model.Parent[a]; }
            else { Touch(ref count, b, -powerW, dqBuyer); b = model.Parent[b]; }
        }
        // Reactive power at constant power factor does not net between two meters with different factors: the
        // difference comes from the substation, over the branches above the common ancestor.
        Int128 dqCommon = dqSeller + dqBuyer;
        if (dqCommon != 0)
            for (int c = a; c > 0; c = model.Parent[c]) Touch(ref count, c, 0, dqCommon);

        for (int k = 0; k < count; k++)
        {
            // A W rating limits active power only: a branch whose P the contract leaves alone is not its concern.
            int node = _node[k];
            if (!model.RatingIsApparent[node] && _newP[k] == _p[node]) continue;
            if (Thermal(model, node, _newP[k], _newQ[k]) is { } thermal) return thermal;
        }

        // A rise beyond the bound is far outside the band; refused here, before it could carry the tree beyond 64 bits.
        for (int k = 0; k < count; k++) _rise[k] = BoundedRise(_node[k], _newRise[k]) - _riseNow[_node[k]];

        var tree = _voltages!;
        var nodes = _node.AsSpan(0, count);
        var ends = _end.AsSpan(0, count);
        tree.AddAll(nodes, ends, _rise.AsSpan(0, count));
        var voltage = VoltageBand.Check(model, tree, Interval);
        if (voltage is not null || !commit)
        {
            for (int k = 0; k < count; k++) _undo[k] = -_rise[k];
            tree.AddAll(nodes, ends, _undo.AsSpan(0, count));
            return voltage;
        }
        for (int k = 0; k < count; k++)
        {
            _p[_node[k]] = _newP[k];
            _q[_node[k]] = _newQ[k];
            _riseNow[_node[k]] = checked(_riseNow[_node[k]] + _rise[k]);
        }
        return null;
    }

    /// <summary>Every branch over its rating and every node outside the band in this book, in Euler order.</summary>
    public IEnumerable<string> Violations()
    {
        if (Model is not { } model) yield break;
        for (int i = 1; i < model.Count; i++)
            if (Thermal(model, i, _p[i], _q[i]) is { } thermal) yield return thermal.Message;
        for (int i = 0; i < model.Count; i++)
        {
            if (VoltageBand.Check(model, i, VoltageSquared(i), Interval) is { } voltage) yield return voltage.Message;
        }
    }

    private void Touch(ref int count, int node, Int128 dp, Int128 dq)
    {
        long newP = BranchFlow(node, _p[node] + dp, Active), newQ = BranchFlow(node, _q[node] + dq, Reactive);
        _node[count] = node;
        _end[count] = Model!.SubtreeEnd[node];
        _newP[count] = newP;
        _newQ[count] = newQ;
        _newRise[count] = LinDistFlow.Rise(Model!, node, newP, newQ);
        count++;
    }

    private const bool Active = true, Reactive = false;

    /// <summary>A branch's active (or reactive) power as a 64-bit value, or the refusal naming it.</summary>
    private long BranchFlow(int node, Int128 value, bool active)
        => value >= long.MinValue && value <= long.MaxValue ? (long)value
            : throw GridRangeException.Flow(Model!, node, Interval, active ? "active power" : "reactive power", active ? "kW" : "kvar", value);

    /// <summary>A branch's v² rise within the model's bound (<see cref="GridModel.MaxBranchRise"/>), or the refusal naming it.</summary>
    private long BoundedRise(int node, Int128 rise)
    {
        long bound = Model!.MaxBranchRise;
        return rise >= -bound && rise <= bound ? (long)rise : throw GridRangeException.Voltage(Model!, node, Interval, rise);
    }

    private long MeterFlow(MeterPoint meter, Int128 value, string quantity, string unit)
        => value >= long.MinValue && value <= long.MaxValue ? (long)value : throw GridRangeException.Meter(meter, Interval, quantity, unit, value);

    /// <summary>The reactive power a meter's net active power brings at its power factor, as a 64-bit value, or the refusal.</summary>
    private long MeterReactive(MeterPoint meter, long activeW) => MeterFlow(meter, LinDistFlow.Reactive(activeW, meter.TanMicro), "reactive power", "kvar");

    private GridViolation? Thermal(GridModel model, int node, long p, long q)
    {
        long rating = model.Rating[node];
        // Magnitudes in 128 bits: |long.MinValue| has no 64-bit form, and p² + q² of two such reaches 2^127.
        Int128 ap = Int128.Abs(p), aq = Int128.Abs(q);
        if (model.RatingIsApparent[node])
        {
            UInt128 s2 = (UInt128)(ap * ap) + (UInt128)(aq * aq);
            if (s2 <= (UInt128)((Int128)rating * rating)) return null;
            // ⌊√⌋ of 2^127 (the largest s2) equals that of 2^127 − 1, which is Int128's largest value.
            var s = LinDistFlow.IntegerSqrt(s2 > (UInt128)Int128.MaxValue ? Int128.MaxValue : (Int128)s2);
            if (s == rating) s++; // ⌊√⌋ can equal the rating while the square exceeds it; never print "x > x"
            return new(ReasonCodes.ThermalLimit, $"{model.Describe(node)}: {Watts.FormatKilo(s, "kVA")} > {Watts.FormatKilo(rating, "kVA")} in {IsoTime.Format(Interval)}");
        }
        return ap <= rating ? null
            : new(ReasonCodes.ThermalLimit, $"{model.Describe(node)}: {Watts.FormatKilo(ap)} > {Watts.FormatKilo(rating)} in {IsoTime.Format(Interval)}");
    }

    private GridViolation? MeterLimit(MeterPoint meter, long net)
    {
        if (net > 0 && (ulong)net > meter.ExportLimitW)
            return new(ReasonCodes.MeterLimit, $"meter {meter.Id}: export {Watts.FormatKilo(net)} > {Watts.FormatKilo(meter.ExportLimitW)} in {IsoTime.Format(Interval)}");
        if (net < 0 && (ulong)(-(Int128)net) > meter.ImportLimitW)
            return new(ReasonCodes.MeterLimit, $"meter {meter.Id}: import {Watts.FormatKilo(-(Int128)net)} > {Watts.FormatKilo(meter.ImportLimitW)} in {IsoTime.Format(Interval)}");
        return null;
    }

    private void SetNet(string meter, long net)
    {
        if (net == 0) _meterNet.Remove(meter); else _meterNet[meter] = net;
    }
}
