using System.Globalization;
using System.Text;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// A radial feeder written as a MATPOWER case file (format 2), in the two unit forms published cases come in: r, x in
/// ohms and loads in kW converted by trailing code (case33bw.m, case69.m), or the standard p.u. and MW.
/// </summary>
internal static class MatpowerText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The ohm/kW form; <paramref name="extraBranches"/> are appended to mpc.branch as written (e.g. an open tie switch).</summary>
    public static string OhmsAndKilowatts(IReadOnlyList<(int From, int To, decimal R, decimal X)> branches, IReadOnlyList<(decimal Kw, decimal Kvar)> loads,
        decimal baseKv = 12.66m, decimal baseMva = 10m, string extraBranches = "")
    {
        var text = Header(baseMva, "%% kW & kVAr here");
        Buses(text, loads, baseKv, 1m);
        text.Append("];\nmpc.branch = [ %% ohms here\n");
        foreach (var (from, to, r, x) in branches) Branch(text, from, to, r, x);
        text.Append(extraBranches).Append("];\n");
        text.Append("Vbase = mpc.bus(1, BASE_KV) * 1e3;\nSbase = mpc.baseMVA * 1e6;\n");
        text.Append("mpc.branch(:, [BR_R BR_X]) = mpc.branch(:, [BR_R BR_X]) / (Vbase^2 / Sbase);\n");
        text.Append("mpc.bus(:, [PD, QD]) = mpc.bus(:, [PD, QD]) / 1e3;\n");
        return text.ToString();
    }

    /// <summary>The p.u./MW form, impedances on the system base rounded to <paramref name="decimals"/> places as a case file would carry them.</summary>
    public static string PerUnitAndMegawatts(IReadOnlyList<(int From, int To, decimal R, decimal X)> branches, IReadOnlyList<(decimal Kw, decimal Kvar)> loads,
        decimal baseKv = 12.66m, decimal baseMva = 10m, int decimals = 10)
    {
        decimal zBase = baseKv * baseKv / baseMva;
        var text = Header(baseMva, "%% MW & MVAr");
        Buses(text, loads, baseKv, 1_000m);
        text.Append("];\nmpc.branch = [ %% p.u.\n");
        foreach (var (from, to, r, x) in branches) Branch(text, from, to, Math.Round(r / zBase, decimals), Math.Round(x / zBase, decimals));
        text.Append("];\n");
        return text.ToString();
    }

    private static StringBuilder Header(decimal baseMva, string busComment)
        => new StringBuilder("function mpc = feeder\nmpc.version = '2';\n").Append(C, $"mpc.baseMVA = {baseMva};\nmpc.bus = [ {busComment}\n");

    private static void Buses(StringBuilder text, IReadOnlyList<(decimal Kw, decimal Kvar)> loads, decimal baseKv, decimal divisor)
    {
        for (int bus = 1; bus <= loads.Count; bus++)
        {
            var (p, q) = (loads[bus - 1].Kw / divisor, loads[bus - 1].Kvar / divisor);
            text.Append(C, $"\t{bus}\t{(bus == 1 ? 3 : 1)}\t{p}\t{q}\t0\t0\t1\t1\t0\t{baseKv}\t1\t1.1\t0.9;\n");
        }
    }

    private static void Branch(StringBuilder text, int from, int to, decimal r, decimal x)
        => text.Append(C, $"\t{from}\t{to}\t{r}\t{x}\t0\t0\t0\t0\t0\t0\t1\t-360\t360;\n");
}
