using System.Numerics;

namespace P2PEnergy.Node.Grid.Analysis;

/// <summary>The solved AC state of a radial model: per-node voltage, per-branch flow and loading, total losses.</summary>
public sealed record AcPowerFlowResult(
    GridModel Model,
    Complex[] VoltagePu,
    // Complex power entering each node's branch at its parent's end (W + j var, the sending end); 0 at the root.
    Complex[] BranchSendingVa,
    double LossesW,
    int Iterations)
{
    /// <summary>Branch loading as a fraction of its rating (apparent power against a VA rating, active against W).</summary>
    public double Loading(int node)
    {
        if (node == 0) return 0;
        var s = BranchSendingVa[node];
        double flow = Model.RatingIsApparent[node] ? s.Magnitude : Math.Abs(s.Real);
        return flow / Model.Rating[node];
    }
}

/// <summary>
/// Full AC power flow of a radial model by the backward/forward sweep (Shirmohammadi et al. 1988): load currents at
/// the present voltages, branch currents summed leaf-to-root, voltages updated root-to-leaf, until no voltage moves
/// by more than the tolerance. Double precision — analysis only (p2pe-node grid analyze), never consensus
/// (DESIGN.md rule 1): the ledger's own check is the integer LinDistFlow of <see cref="FlowBook"/>.
/// Per unit on each branch's nominal voltage and a 1 MVA base, so transformers are ideal at nominal ratio.
/// </summary>
public static class AcPowerFlow
{
    private const double BaseVa = 1_000_000;

    /// <param name="model">The network.</param>
    /// <param name="injectionVa">Net complex power injected at each node (W + j var; a load is negative), by node index.</param>
    /// <param name="tolerance">Largest voltage change (p.u.) of the last iteration.</param>
    /// <param name="maxIterations">Gives up (throws) after this many sweeps: a heavily overloaded feeder has no solution.</param>
    public static AcPowerFlowResult Solve(GridModel model, Complex[] injectionVa, double tolerance = 1e-10, int maxIterations = 100)
    {
        int n = model.Count;
        var z = new Complex[n];
        for (int i = 1; i < n; i++)
        {
            double zBase = (double)model.NominalVoltageV[i] * model.NominalVoltageV[i] / BaseVa;
            // The file's impedances with their fractions: whole milliohms put the IEEE 33-bus losses 0.04 kW off.
            z[i] = new Complex((double)model.RMilliohmExact[i] / 1000.0, (double)model.XMilliohmExact[i] / 1000.0) / zBase;
        }
        double source = Math.Sqrt(model.SourceSquared / (double)GridModel.VoltageSquaredScale);
        var v = Enumerable.Repeat(new Complex(source, 0), n).ToArray();
        var current = new Complex[n];
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            // Backward: each node draws conj(S_load / V); Euler order puts every child after its parent.
            for (int i = 0; i < n; i++) current[i] = Complex.Conjugate(-injectionVa[i] / BaseVa / v[i]);
            for (int i = n - 1; i > 0; i--) current[model.Parent[i]] += current[i];
            // Forward: v_child = v_parent − z · I_branch.
            double change = 0;
            for (int i = 1; i < n; i++)
            {
                var updated = v[model.Parent[i]] - z[i] * current[i];
                change = Math.Max(change, (updated - v[i]).Magnitude);
                v[i] = updated;
            }
            if (change < tolerance) return Result(model, v, current, z, iteration);
        }
        throw new InvalidOperationException($"backward/forward sweep did not converge in {maxIterations} iterations (is the feeder overloaded?)");
    }

    private static AcPowerFlowResult Result(GridModel model, Complex[] v, Complex[] current, Complex[] z, int iterations)
    {
        int n = model.Count;
        var sending = new Complex[n];
        double losses = 0;
        for (int i = 1; i < n; i++)
        {
            sending[i] = v[model.Parent[i]] * Complex.Conjugate(current[i]) * BaseVa;
            losses += current[i].Magnitude * current[i].Magnitude * z[i].Real * BaseVa;
        }
        return new AcPowerFlowResult(model, v, sending, losses, iterations);
    }
}
