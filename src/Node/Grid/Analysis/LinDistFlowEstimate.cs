namespace P2PEnergy.Node.Grid.Analysis;

/// <summary>
/// The ledger's own estimate for a set of node injections, for comparison with the AC sweep: branch flows are the
/// lossless subtree sums of the injections, entered as the flow book's baseline, so the voltages are exactly what
/// the consensus check would compute (integer LinDistFlow).
/// </summary>
public static class LinDistFlowEstimate
{
    /// <param name="model">The network.</param>
    /// <param name="activeW">Net active injection per node (a load is negative).</param>
    /// <param name="reactiveVar">Net reactive injection per node.</param>
    public static FlowBook Solve(GridModel model, long[] activeW, long[] reactiveVar)
    {
        var p = (long[])activeW.Clone();
        var q = (long[])reactiveVar.Clone();
        for (int i = model.Count - 1; i > 0; i--)
        {
            int up = model.Parent[i];
            p[up] = checked(p[up] + p[i]);
            q[up] = checked(q[up] + q[i]);
        }
        return new FlowBook(model, 0, Enumerable.Range(1, model.Count - 1).Select(i => (i, p[i], q[i])), []);
    }
}
