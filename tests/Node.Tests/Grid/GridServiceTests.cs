using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>p2pe.v1.Grid over committed state: GetGridStatus and GetHostingCapacity, numbers by hand on <see cref="SmallFeeder"/>.</summary>
public class GridServiceTests
{
    private static (GridService Service, LedgerHarness Chain, ulong Interval) Committed(long sp1Rating)
    {
        var bytes = SmallFeeder.File(sp1Rating: sp1Rating).ToJsonBytes();
        var h = new LedgerHarness(grid: new GridAdmission(new FlowBookCache()), gridModel: bytes, configure: g =>
        {
            g.GridModelFile = "grid.json";
            g.GridModelHash = Keccak256.Hash(bytes).ToString();
        });
        var terms = h.Contract(h.Alice, h.Bob); // 8,000 W from MTR-A (SP1) to MTR-B (SP2)
        Assert.Equal("OK", h.One(LedgerHarness.Envelope(terms, h.Alice, h.Bob)).Code);
        var store = new MemoryLedgerStore();
        store.InitializeGenesis(Hash32.Zero, h.State.Scan("").Select(kv => new StateChange(kv.Key, kv.Value)).ToList(), h.AppHash);
        return (new GridService(store, h.Parameters), h, terms.IntervalStart);
    }

    [Fact]
    public async Task GetGridStatus_ReportsFlowRatingHeadroomAndVoltage()
    {
        var (service, _, interval) = Committed(sp1Rating: 50_000);
        var status = await service.GetGridStatus(new GetGridStatusRequest { IntervalStart = interval }, null!);
        var sp1 = status.Elements.Single(e => e.Element == "SP1");
        Assert.Equal(8_000, sp1.ActiveW);
        Assert.Equal(50_000, sp1.Rating);
        Assert.Equal("W", sp1.RatingUnit);
        Assert.Equal(42_000, sp1.Headroom);
        Assert.Equal("T1", sp1.Parent);
        Assert.Equal(1_000_159UL, sp1.VoltageMicroPu); // √(1 + 20 · 2000 · 8000 / 10^12) = 1.00015998…
        Assert.Equal(0, status.Elements.Single(e => e.Element == "T1").ActiveW);
        Assert.Equal(950_000UL, status.VMinMicroPu);
        Assert.Equal(7, status.Elements.Count);
    }

    [Fact]
    public async Task GetHostingCapacity_MeterLimited()
    {
        var (service, _, interval) = Committed(sp1Rating: 50_000);
        var capacity = await service.GetHostingCapacity(new GetHostingCapacityRequest { Meter = "MTR-A", IntervalStart = interval }, null!);
        Assert.Equal(2_000, capacity.ExportW);   // 10 kW export limit − 8 kW already sold
        Assert.Equal(18_000, capacity.ImportW);  // from +8 kW to −10 kW
        Assert.StartsWith("METER_LIMIT: meter MTR-A: export 10.001 kW > 10 kW", capacity.ExportLimitedBy);
        Assert.StartsWith("METER_LIMIT: meter MTR-A: import 10.001 kW > 10 kW", capacity.ImportLimitedBy);
    }

    [Fact]
    public async Task GetHostingCapacity_ThermalLimited()
    {
        var (service, _, interval) = Committed(sp1Rating: 9_000);
        var capacity = await service.GetHostingCapacity(new GetHostingCapacityRequest { Meter = "MTR-A", IntervalStart = interval }, null!);
        Assert.Equal(1_000, capacity.ExportW);
        Assert.StartsWith("THERMAL_LIMIT: feeder F1 service point SP1: 9.001 kW > 9 kW", capacity.ExportLimitedBy);
    }

    [Fact]
    public void HostingCapacity_VoltageLimited_IsExact()
    {
        // To the substation SP1 rises 20 · (2000 + 1000 + 500) = 70,000 per W; vMax 1.003 leaves 6.009e9:
        // 85,842 W fits (6,008,940,000), 85,843 W does not (6,009,010,000).
        var model = SmallFeeder.Model(vMax: 1.003m, sp1Rating: 500_000);
        var book = SmallFeeder.Book(model);
        var (watts, limitedBy) = HostingCapacitySearch.Export(book, SmallFeeder.Meter(model, "M1", "SP1"));
        Assert.Equal(85_842, watts);
        Assert.Equal("VOLTAGE_LIMIT", limitedBy!.Code);
    }
}
