using P2PEnergy.Node.Grid;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// The IEEE 33-bus radial distribution test feeder: M. E. Baran and F. F. Wu, "Network reconfiguration in
/// distribution systems for loss reduction and load balancing", IEEE Trans. Power Delivery 4(2):1401–1407, 1989,
/// doi:10.1109/61.25627 — as tabulated in MATPOWER's case33bw.m (12.66 kV, 32 in-service branches, 3,715 kW +
/// 2,300 kvar of load). Impedances are exact (the model file keeps fractions of a milliohm; the ledger's checks round
/// them to whole milliohm); the published case has no ratings, so every branch gets 6 MVA, above the 4.4 MVA at the head.
/// </summary>
public static class Ieee33
{
    /// <summary>(from bus, to bus, r Ω, x Ω) of the in-service branches; bus 1 is the substation.</summary>
    public static readonly (int From, int To, decimal R, decimal X)[] Branches =
    [
        (1, 2, 0.0922m, 0.0470m), (2, 3, 0.4930m, 0.2511m), (3, 4, 0.3660m, 0.1864m), (4, 5, 0.3811m, 0.1941m),
        (5, 6, 0.8190m, 0.7070m), (6, 7, 0.1872m, 0.6188m), (7, 8, 0.7114m, 0.2351m), (8, 9, 1.0300m, 0.7400m),
        (9, 10, 1.0440m, 0.7400m), (10, 11, 0.1966m, 0.0650m), (11, 12, 0.3744m, 0.1238m), (12, 13, 1.4680m, 1.1550m),
        (13, 14, 0.5416m, 0.7129m), (14, 15, 0.5910m, 0.5260m), (15, 16, 0.7463m, 0.5450m), (16, 17, 1.2890m, 1.7210m),
        (17, 18, 0.7320m, 0.5740m), (2, 19, 0.1640m, 0.1565m), (19, 20, 1.5042m, 1.3554m), (20, 21, 0.4095m, 0.4784m),
        (21, 22, 0.7089m, 0.9373m), (3, 23, 0.4512m, 0.3083m), (23, 24, 0.8980m, 0.7091m), (24, 25, 0.8960m, 0.7011m),
        (6, 26, 0.2030m, 0.1034m), (26, 27, 0.2842m, 0.1447m), (27, 28, 1.0590m, 0.9337m), (28, 29, 0.8042m, 0.7006m),
        (29, 30, 0.5075m, 0.2585m), (30, 31, 0.9744m, 0.9630m), (31, 32, 0.3105m, 0.3619m), (32, 33, 0.3410m, 0.5302m),
    ];

    /// <summary>Load (kW, kvar) at buses 1..33.</summary>
    public static readonly (int Kw, int Kvar)[] Loads =
    [
        (0, 0), (100, 60), (90, 40), (120, 80), (60, 30), (60, 20), (200, 100), (200, 100), (60, 20), (60, 20), (45, 30),
        (60, 35), (60, 35), (120, 80), (60, 10), (60, 20), (60, 20), (90, 40), (90, 40), (90, 40), (90, 40), (90, 40),
        (90, 50), (420, 200), (420, 200), (60, 25), (60, 25), (60, 20), (120, 70), (200, 600), (150, 70), (210, 100), (60, 40),
    ];

    public static GridModelFile File()
    {
        var file = new GridModelFile { VMinPu = 0.90m, VMaxPu = 1.05m };
        file.Nodes.Add(new GridNodeEntry { Id = "B1", Kind = NodeKind.Substation, NominalVoltageV = 12_660 });
        foreach (var (from, to, r, x) in Branches)
            file.Nodes.Add(new GridNodeEntry
            {
                Id = $"B{to}", Kind = NodeKind.Segment, Parent = $"B{from}", RatingVa = 6_000_000,
                RMilliohm = r * 1000m, XMilliohm = x * 1000m, NominalVoltageV = 12_660,
            });
        return file;
    }

    /// <summary>Injections by node index of <paramref name="model"/> (loads negative), scaled by <paramref name="scalePercent"/>.</summary>
    public static (long[] P, long[] Q) Injections(GridModel model, int scalePercent = 100)
    {
        var p = new long[model.Count];
        var q = new long[model.Count];
        for (int bus = 1; bus <= Loads.Length; bus++)
        {
            int i = model.IndexOf($"B{bus}");
            p[i] = -Loads[bus - 1].Kw * 10L * scalePercent;
            q[i] = -Loads[bus - 1].Kvar * 10L * scalePercent;
        }
        return (p, q);
    }
}
