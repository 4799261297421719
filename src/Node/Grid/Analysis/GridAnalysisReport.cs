using System.Globalization;
using System.Numerics;

namespace P2PEnergy.Node.Grid.Analysis;

/// <summary>
/// What <c>p2pe-node grid analyze</c> prints: per node the AC voltage beside the ledger's LinDistFlow estimate, per
/// branch the AC flow and loading beside the lossless flow the ledger books, and the totals (losses, extremes).
/// </summary>
public static class GridAnalysisReport
{
    public static void Write(GridModel model, long[] activeW, long[] reactiveVar, TextWriter output)
    {
        var ac = AcPowerFlow.Solve(model, activeW.Zip(reactiveVar, (p, q) => new Complex(p, q)).ToArray());
        var linear = LinDistFlowEstimate.Solve(model, activeW, reactiveVar);
        var c = CultureInfo.InvariantCulture;
        double Linear(int i) => Math.Sqrt(linear.VoltageSquared(i) / (double)GridModel.VoltageSquaredScale);

        output.WriteLine($"AC power flow (backward/forward sweep, double precision): {model.Count} nodes, converged in {ac.Iterations} iterations");
        output.WriteLine();
        output.WriteLine(string.Format(c, "{0,-14} {1,-13} {2,10} {3,10} {4,9}   {5,11} {6,11} {7,8}   {8,11}",
            "node", "kind", "V AC", "V LinDF", "diff", "P AC kW", "Q AC kvar", "load %", "P LinDF kW"));
        for (int i = 0; i < model.Count; i++)
        {
            double vac = ac.VoltagePu[i].Magnitude, vlin = Linear(i);
            // Branch flows are reported the ledger's way: positive towards the parent, i.e. minus what the parent sends.
            string branch = i == 0 ? string.Format(c, "{0,11} {1,11} {2,8}   {3,11}", "-", "-", "-", "-")
                : string.Format(c, "{0,11:F2} {1,11:F2} {2,8:F1}   {3,11:F2}", -ac.BranchSendingVa[i].Real / 1000, -ac.BranchSendingVa[i].Imaginary / 1000,
                    ac.Loading(i) * 100, linear.FlowW(i) / 1000.0);
            output.WriteLine(string.Format(c, "{0,-14} {1,-13} {2,10:F5} {3,10:F5} {4,9:F5}   {5}", model.Ids[i], model.Kinds[i], vac, vlin, vlin - vac, branch));
        }
        int lowest = Enumerable.Range(0, model.Count).MinBy(i => ac.VoltagePu[i].Magnitude);
        int highest = Enumerable.Range(0, model.Count).MaxBy(i => ac.VoltagePu[i].Magnitude);
        int worst = Enumerable.Range(0, model.Count).MaxBy(i => Math.Abs(Linear(i) - ac.VoltagePu[i].Magnitude));
        int loaded = Enumerable.Range(1, Math.Max(0, model.Count - 1)).DefaultIfEmpty(0).MaxBy(ac.Loading);
        output.WriteLine();
        output.WriteLine(string.Format(c, "total losses        {0:F3} kW (LinDistFlow assumes none)", ac.LossesW / 1000));
        output.WriteLine(string.Format(c, "lowest voltage      {0:F5} p.u. at {1} (LinDistFlow {2:F5})", ac.VoltagePu[lowest].Magnitude, model.Ids[lowest], Linear(lowest)));
        output.WriteLine(string.Format(c, "highest voltage     {0:F5} p.u. at {1} (LinDistFlow {2:F5})", ac.VoltagePu[highest].Magnitude, model.Ids[highest], Linear(highest)));
        output.WriteLine(string.Format(c, "largest difference  {0:F5} p.u. at {1} (LinDistFlow − AC)", Linear(worst) - ac.VoltagePu[worst].Magnitude, model.Ids[worst]));
        output.WriteLine(string.Format(c, "most loaded branch  {0} at {1:F1} % of its rating", model.Ids[loaded], ac.Loading(loaded) * 100));
        output.WriteLine(string.Format(c, "band                [{0}, {1}] p.u.", model.VMinPu, model.VMaxPu));
    }
}
