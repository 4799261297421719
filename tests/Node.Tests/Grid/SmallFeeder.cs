using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Genesis;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// The hand-computation feeder: every level at 10 kV, so a branch's v² rise is exactly 20 × (r·P + x·Q)
/// in p.u.² × 10^12 (2 × 10^9 ÷ 10^8), and the numbers in the tests below can be checked with a pencil.
/// <code>
/// S ── F1 (r 500, x 250, 1 MW) ─┬─ T1 (r 1000, 200 kW) ─┬─ SP1 (r 2000, 50 kW)
///                               │                        └─ SP2 (r 2000, 50 kW)
///                               └─ T2 (r 1000, 200 kW) ─── SP3 (r 1000, 150 kW)
/// </code>
/// </summary>
public static class SmallFeeder
{
    public static GridModelFile File(decimal vMax = 1.05m, long sp1Rating = 50_000, long? sp3RatingVa = null) => new()
    {
        VMinPu = 0.95m, VMaxPu = vMax,
        Nodes =
        [
            new() { Id = "S", Kind = NodeKind.Substation, NominalVoltageV = 10_000 },
            new() { Id = "F1", Kind = NodeKind.Feeder, Parent = "S", RatingW = 1_000_000, RMilliohm = 500, XMilliohm = 250, NominalVoltageV = 10_000 },
            new() { Id = "T1", Kind = NodeKind.Transformer, Parent = "F1", RatingW = 200_000, RMilliohm = 1_000, NominalVoltageV = 10_000 },
            new() { Id = "SP1", Kind = NodeKind.ServicePoint, Parent = "T1", RatingW = sp1Rating, RMilliohm = 2_000, NominalVoltageV = 10_000 },
            new() { Id = "SP2", Kind = NodeKind.ServicePoint, Parent = "T1", RatingW = 50_000, RMilliohm = 2_000, NominalVoltageV = 10_000 },
            new() { Id = "T2", Kind = NodeKind.Transformer, Parent = "F1", RatingW = 200_000, RMilliohm = 1_000, NominalVoltageV = 10_000 },
            new() { Id = "SP3", Kind = NodeKind.ServicePoint, Parent = "T2", RatingW = sp3RatingVa is null ? 150_000 : null, RatingVa = sp3RatingVa, RMilliohm = 1_000, NominalVoltageV = 10_000 },
        ],
    };

    public static GridModel Model(decimal vMax = 1.05m, long sp1Rating = 50_000, long? sp3RatingVa = null)
        => GridModel.Load(File(vMax, sp1Rating, sp3RatingVa).ToJsonBytes());

    public static MeterPoint Meter(GridModel model, string id, string node, uint powerFactorMilli = 0, ulong limitW = 1_000_000)
        => new(id, model.IndexOf(node), LinDistFlow.TanMicro(powerFactorMilli), limitW, limitW);

    public static FlowBook Book(GridModel model, params (string Element, long P, long Q)[] baseline)
        => new(model, Interval, baseline.Select(b => (model.IndexOf(b.Element), b.P, b.Q)), []);

    /// <summary>2026-11-22T17:00Z.</summary>
    public const ulong Interval = 1_795_366_800;

    /// <summary>A harness chain whose genesis installs this feeder (SP1 rated <paramref name="sp1Rating"/> W) under <paramref name="grid"/>.</summary>
    public static Tests.Ledger.LedgerHarness Chain(long sp1Rating = 50_000, IGridAdmission? grid = null, int? settlementSteps = null, Action<GenesisDocument>? configure = null)
    {
        var bytes = File(sp1Rating: sp1Rating).ToJsonBytes();
        return new Tests.Ledger.LedgerHarness(grid: grid ?? new GridAdmission(new FlowBookCache()), gridModel: bytes, settlementSteps: settlementSteps, configure: g =>
        {
            g.GridModelFile = "grid.json";
            g.GridModelHash = P2PEnergy.Contracts.Crypto.Keccak256.Hash(bytes).ToString();
            configure?.Invoke(g);
        });
    }
}
