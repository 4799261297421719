using System.Globalization;
using System.Text.RegularExpressions;

namespace P2PEnergy.Node.Grid.Analysis;

/// <summary>
/// Imports a radial MATPOWER case (<c>mpc.baseMVA</c>, <c>mpc.bus</c>, <c>mpc.branch</c>; format version 2) as a grid
/// model and its loads as injections. Impedances in p.u. on the system base become ohms at the child bus's base kV
/// (kept to the nano-ohm, so reference power flows are reproduced whichever unit form the case uses);
/// the distribution cases that state r, x in ohms and loads in kW and convert them in trailing code (case33bw,
/// case69, …) are recognised by that code. Buses are named <c>B&lt;bus_i&gt;</c>; the reference bus is the root.
/// </summary>
public sealed partial class MatpowerCase
{
    /// <summary>Rating given to branches whose rateA is 0 (MATPOWER's "unlimited").</summary>
    public const long UnlimitedVa = 1_000_000_000_000_000;

    public required GridModelFile Model { get; init; }
    public required InjectionsFile Loads { get; init; }

    public static MatpowerCase Parse(string text)
    {
        var code = CommentPattern().Replace(text, "");
        decimal baseMva = Scalar(code, "baseMVA");
        var bus = Matrix(code, "bus", 10);
        var branch = Matrix(code, "branch", 11);
        // The ohm/kW distribution cases convert after loading the matrices; the conversion lines give them away.
        bool ohms = OhmConversion().IsMatch(code);
        bool kilowatts = KilowattConversion().IsMatch(code);

        var baseKv = new Dictionary<long, decimal>();
        long root = -1;
        foreach (var row in bus)
        {
            long id = (long)row[0];
            baseKv[id] = row[9];
            if (row[1] == 3) root = root < 0 ? id : throw new GridModelException($"MATPOWER case has two reference buses ({root} and {id})");
        }
        if (root < 0) throw new GridModelException("MATPOWER case has no reference bus (type 3)");
        var children = new Dictionary<long, List<decimal[]>>();
        int inService = 0;
        foreach (var row in branch)
        {
            if (row[10] == 0) continue;
            inService++;
            foreach (var end in new[] { (long)row[0], (long)row[1] })
                if (!baseKv.ContainsKey(end)) throw new GridModelException($"MATPOWER branch {row[0]}-{row[1]}: bus {end} does not exist");
            (children.TryGetValue((long)row[0], out var a) ? a : children[(long)row[0]] = []).Add(row);
            (children.TryGetValue((long)row[1], out var b) ? b : children[(long)row[1]] = []).Add(row);
        }
        if (inService != bus.Count - 1) throw new GridModelException($"MATPOWER case is not radial: {inService} in-service branches for {bus.Count} buses");

        var file = new GridModelFile { VMinPu = 0.95m, VMaxPu = 1.05m };
        file.Nodes.Add(new GridNodeEntry { Id = $"B{root}", Kind = NodeKind.Substation, NominalVoltageV = Volts(baseKv[root]) });
        var seen = new HashSet<long> { root };
        var queue = new Queue<long>([root]);
        while (queue.Count > 0)
        {
            long parent = queue.Dequeue();
            foreach (var row in children.GetValueOrDefault(parent, []))
            {
                long child = (long)row[0] == parent ? (long)row[1] : (long)row[0];
                if (!seen.Add(child)) continue;
                queue.Enqueue(child);
                decimal kv = baseKv[child];
                decimal toOhms = ohms ? 1m : kv * kv / baseMva;
                bool transformer = row.Length > 8 && row[8] != 0 && row[8] != 1;
                file.Nodes.Add(new GridNodeEntry
                {
                    Id = $"B{child}", Parent = $"B{parent}", Kind = transformer ? NodeKind.Transformer : NodeKind.Segment,
                    RMilliohm = Milliohm(row[2] * toOhms), XMilliohm = Milliohm(row[3] * toOhms),
                    RatingVa = row[5] > 0 ? (long)Math.Round(row[5] * 1_000_000m) : UnlimitedVa, NominalVoltageV = Volts(kv),
                });
            }
        }
        if (seen.Count != bus.Count) throw new GridModelException($"MATPOWER case is not radial: {bus.Count - seen.Count} buses are not connected to the reference bus");

        decimal unit = kilowatts ? 1_000m : 1_000_000m;
        var loads = new InjectionsFile();
        foreach (var row in bus)
            if (row[2] != 0 || row[3] != 0)
                loads.Injections.Add(new NodeInjection { Node = $"B{(long)row[0]}", ActiveW = -(long)Math.Round(row[2] * unit), ReactiveVar = -(long)Math.Round(row[3] * unit) });
        return new MatpowerCase { Model = file, Loads = loads };
    }

    /// <summary>
    /// Ohms as milliohm to the nano-ohm, exact decimal arithmetic on the case's digits: a case written in p.u. and the
    /// same case in ohms then give the same model to far below what a power flow can tell (whole milliohms did not:
    /// 409.5 mΩ came out 410 from ohms and 409 from p.u.).
    /// </summary>
    private static decimal Milliohm(decimal ohms) => Math.Round(ohms * 1000m, 6) / 1.000000000000000000000000000000000m;

    private static long Volts(decimal kv) => kv > 0 ? (long)Math.Round(kv * 1000m) : throw new GridModelException($"MATPOWER bus baseKV must be > 0, got {kv}");

    private static decimal Scalar(string code, string name)
    {
        var match = Regex.Match(code, $@"mpc\.{name}\s*=\s*([-+0-9.eE]+)\s*;");
        return match.Success ? Number(match.Groups[1].Value) : throw new GridModelException($"MATPOWER case has no mpc.{name}");
    }

    private static List<decimal[]> Matrix(string code, string name, int minColumns)
    {
        var match = Regex.Match(code, $@"mpc\.{name}\s*=\s*\[(.*?)\]\s*;", RegexOptions.Singleline);
        if (!match.Success) throw new GridModelException($"MATPOWER case has no mpc.{name} matrix");
        var rows = new List<decimal[]>();
        foreach (var line in match.Groups[1].Value.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var row = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries).Select(Number).ToArray();
            if (row.Length == 0) continue;
            if (row.Length < minColumns) throw new GridModelException($"MATPOWER mpc.{name} row '{line}' has {row.Length} columns, needs {minColumns}");
            rows.Add(row);
        }
        return rows;
    }

    private static decimal Number(string text)
        => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new GridModelException($"MATPOWER: '{text}' is not a number");

    [GeneratedRegex("%[^\n]*")]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"mpc\.branch\(:,\s*\[BR_R\s+BR_X\]\)\s*=\s*mpc\.branch\(:,\s*\[BR_R\s+BR_X\]\)\s*/\s*\(Vbase\^2\s*/\s*Sbase\)")]
    private static partial Regex OhmConversion();

    [GeneratedRegex(@"mpc\.bus\(:,\s*\[PD,\s*QD\]\)\s*=\s*mpc\.bus\(:,\s*\[PD,\s*QD\]\)\s*/\s*1e3")]
    private static partial Regex KilowattConversion();
}
