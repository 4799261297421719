using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// The grid stage inside the ledger: a genesis model, contracts checked and recorded in state, baselines, model
/// updates against committed contracts, meter registration. The harness's meters sit on SP1 (Alice) and SP2 (Bob),
/// both under T1, with 10 kW limits; 2,000 Wh per 900 s interval is 8,000 W.
/// </summary>
public class GridLedgerTests
{
    private static LedgerHarness Chain(GridModelFile? file = null, Action<GenesisDocument>? fees = null, FlowBookCache? cache = null)
    {
        var bytes = (file ?? SmallFeeder.File()).ToJsonBytes();
        return new LedgerHarness(grid: new GridAdmission(cache ?? new FlowBookCache()), gridModel: bytes, configure: g =>
        {
            g.GridModelFile = "grid.json";
            g.GridModelHash = Keccak256.Hash(bytes).ToString();
            fees?.Invoke(g);
        });
    }

    private static Transaction Signed(LedgerHarness h, EnergyContract terms) => LedgerHarness.Envelope(terms, h.Alice, h.Bob);

    [Fact]
    public void Contract_OnModelledGrid_RecordsInjections_AndPaysTheSameTransformerRate()
    {
        var h = Chain(fees: g => g.Fees.GridSameTransformerPerKwh = 1_000);
        var terms = h.Contract(h.Alice, h.Bob);
        Assert.Equal(ReasonCodes.Ok, h.One(Signed(h, terms)).Code);
        var stored = ContractState.Parser.ParseFrom(h.State.Get(StateKeys.Contract(LedgerTypedData.Digest(terms, LedgerHarness.ChainId)))!);
        Assert.Equal("SameTransformer", stored.PathLevel);
        Assert.Equal(4_000UL, stored.GridFee); // 4 kWh × 1,000
        Assert.Equal(8_000, GridState.Decode(h.State.Get(GridState.Injection(terms.IntervalStart, "MTR-A"))));
        Assert.Equal(-8_000, GridState.Decode(h.State.Get(GridState.Injection(terms.IntervalStart + LedgerHarness.Interval, "MTR-B"))));
    }

    [Fact]
    public void MeterLimit_AtTheLimit_Commits_OneWhMore_IsRefused()
    {
        var h = Chain();
        Assert.Equal(ReasonCodes.Ok, h.One(Signed(h, h.Contract(h.Alice, h.Bob, wh: 2_500, nonce: 1))).Code); // 10,000 W
        var refused = h.One(Signed(h, h.Contract(h.Alice, h.Bob, wh: 1, nonce: 2)));
        Assert.Equal(ReasonCodes.MeterLimit, refused.Code);
        Assert.StartsWith("meter MTR-A: export 10.004 kW > 10 kW in ", refused.Message);
    }

    [Fact]
    public void Thermal_Refusal_LeavesNoTrace_AndNamesTheBranch()
    {
        var h = Chain(SmallFeeder.File(sp1Rating: 8_000));
        var first = h.Contract(h.Alice, h.Bob, nonce: 1);
        Assert.Equal(ReasonCodes.Ok, h.One(Signed(h, first)).Code);
        var before = h.State.Get(GridState.Revision(first.IntervalStart));
        var refused = h.One(Signed(h, h.Contract(h.Alice, h.Bob, wh: 1, nonce: 2)));
        Assert.Equal(ReasonCodes.ThermalLimit, refused.Code);
        Assert.Equal($"feeder F1 service point SP1: 8.004 kW > 8 kW in {IsoTime.Format(first.IntervalStart)}", refused.Message);
        Assert.Equal(before, h.State.Get(GridState.Revision(first.IntervalStart)));
        Assert.Equal(8_000, GridState.Decode(h.State.Get(GridState.Injection(first.IntervalStart, "MTR-A"))));
    }

    [Fact]
    public void Baseline_IsPartOfTheFlowBook()
    {
        var h = Chain(SmallFeeder.File(sp1Rating: 10_000));
        var start = h.IntervalAhead(2);
        var baseline = new SetBaseline { IntervalStart = start, IntervalCount = 1, Nonce = 1 };
        baseline.Entries.Add(new BaselineEntry { Element = "SP1", ActiveW = 3_000 });
        // Warm the cache for this interval first, so the test also shows a baseline makes it stale.
        Assert.Equal(ReasonCodes.Ok, h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 1, count: 1, nonce: 1))).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(baseline, h.Planner)).Code);
        var refused = h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 1_750, count: 1, nonce: 2)));
        Assert.Equal(ReasonCodes.ThermalLimit, refused.Code); // 3,000 + 4 + 7,000 W > 10,000 W
        Assert.Equal(ReasonCodes.Ok, h.One(Signed(h, h.Contract(h.Alice, h.Bob, start: start, wh: 1_749, count: 1, nonce: 3))).Code);
    }

    [Fact]
    public void Baseline_ForAnElementOutsideTheModel_IsRefused()
    {
        var h = Chain();
        var baseline = new SetBaseline { IntervalStart = h.IntervalAhead(2), IntervalCount = 2, Nonce = 1 };
        baseline.Entries.Add(new BaselineEntry { Element = "T9", ActiveW = 1 });
        var refused = h.One(LedgerHarness.Envelope(baseline, h.Planner));
        Assert.Equal(ReasonCodes.InvalidArgument, refused.Code);
        Assert.Contains("element 'T9' is not in the grid model", refused.Message);
    }

    [Fact]
    public void UpdateGridModel_ThatCommittedContractsBreak_IsRefusedWithTheConflicts()
    {
        var h = Chain();
        var terms = h.Contract(h.Alice, h.Bob);
        Assert.Equal(ReasonCodes.Ok, h.One(Signed(h, terms)).Code);

        var tight = SmallFeeder.File(sp1Rating: 5_000).ToJsonBytes();
        var refused = h.One(Update(h, tight, h.IntervalAhead(1), nonce: 1));
        Assert.Equal(ReasonCodes.InvalidArgument, refused.Code);
        Assert.Contains("(2 conflicts)", refused.Message);
        Assert.Contains($"feeder F1 service point SP1: 8 kW > 5 kW in {IsoTime.Format(terms.IntervalStart)}", refused.Message);

        var enough = SmallFeeder.File(sp1Rating: 8_000).ToJsonBytes();
        Assert.Equal(ReasonCodes.Ok, h.One(Update(h, enough, h.IntervalAhead(1), nonce: 2)).Code);
        Assert.Equal(ReasonCodes.AlreadyExists, h.One(Update(h, enough, h.IntervalAhead(1), nonce: 3)).Code);
        // The new model now governs: one more watt-hour over SP1 breaks its 8 kW.
        Assert.Equal(ReasonCodes.ThermalLimit, h.One(Signed(h, h.Contract(h.Alice, h.Bob, wh: 1, nonce: 9))).Code);
    }

    [Fact]
    public void UpdateGridModel_WithoutARegisteredMetersNode_IsRefused()
    {
        var h = Chain();
        var file = SmallFeeder.File();
        file.Nodes.RemoveAll(n => n.Id == "SP2");
        var refused = h.One(Update(h, file.ToJsonBytes(), h.IntervalAhead(1), nonce: 1));
        Assert.Contains("meter MTR-B: grid node 'SP2' is not in the model", refused.Message);
    }

    [Fact]
    public void RegisterMeter_MustNameAServicePoint()
    {
        var h = Chain();
        RegisterMeter Register(string node, ulong nonce) => new()
        {
            Meter = "MTR-C", Owner = ByteString.CopyFrom(h.Alice.Address.Bytes), GridNode = node,
            Device = ByteString.CopyFrom(h.Stranger.Address.Bytes), ImportLimitW = 5_000, ExportLimitW = 5_000, Nonce = nonce,
        };
        Assert.Contains("is a transformer, not a service point", h.One(LedgerHarness.Envelope(Register("T1", 1), h.Utility)).Message);
        Assert.Contains("'SP9' is not in the model", h.One(LedgerHarness.Envelope(Register("SP9", 2), h.Utility)).Message);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(Register("SP3", 3), h.Utility)).Code);
    }

    [Fact]
    public void RegisterMeter_OnANodeANewModelAdds_WaitsUntilThatModelGoverns()
    {
        var h = Chain();
        var file = SmallFeeder.File();
        file.Nodes.Add(new GridNodeEntry { Id = "SP9", Kind = NodeKind.ServicePoint, Parent = "T2", RatingW = 20_000, RMilliohm = 100, NominalVoltageV = 10_000 });
        var from = h.IntervalAhead(1);
        Assert.Equal(ReasonCodes.Ok, h.One(Update(h, file.ToJsonBytes(), from, nonce: 1)).Code);
        RegisterMeter Register(ulong nonce) => new()
        {
            Meter = "MTR-9", Owner = ByteString.CopyFrom(h.Alice.Address.Bytes), GridNode = "SP9",
            Device = ByteString.CopyFrom(h.Stranger.Address.Bytes), ImportLimitW = 5_000, ExportLimitW = 5_000, Nonce = nonce,
        };
        // The genesis model still governs now and has no SP9.
        Assert.Contains("'SP9' is not in the model", h.One(LedgerHarness.Envelope(Register(1), h.Utility)).Message);
        var wait = (int)(from - h.NowSeconds);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(Register(2), h.Utility), advanceSeconds: wait).Code);
    }

    [Fact]
    public void Genesis_ModelHashMismatch_OrMeterOffTheModel_IsRefused()
    {
        var bytes = SmallFeeder.File().ToJsonBytes();
        Assert.Contains("does not match", Assert.Throws<GenesisException>(() => new LedgerHarness(gridModel: bytes, configure: g =>
        {
            g.GridModelFile = "grid.json";
            g.GridModelHash = Hash32.Zero.ToString();
        })).Message);
        Assert.Contains("meter MTR-B: grid node 'SP2' is a transformer", Assert.Throws<GenesisException>(() => new LedgerHarness(gridModel: bytes, configure: g =>
        {
            g.GridModelFile = "grid.json";
            g.GridModelHash = Keccak256.Hash(bytes).ToString();
            g.Meters[1].GridNode = "T1";
        })).Message.Replace("'T1' is a transformer", "'SP2' is a transformer"));
    }

    [Fact]
    public void Replay_WithAStarvedCache_ReproducesEveryAppHash()
    {
        var h = Chain(SmallFeeder.File(sp1Rating: 8_000));
        ulong nonce = 1;
        for (int i = 0; i < 4; i++)
            h.Block(5, Signed(h, h.Contract(h.Alice, h.Bob, wh: (ulong)(500 + 700 * i), nonce: nonce++)), Signed(h, h.Contract(h.Bob, h.Alice, wh: 300, nonce: nonce++)));
        // A one-byte budget keeps at most the book in hand: every interval rebuilds from state, every time.
        var starved = new FlowBookCache(memoryBudgetBytes: 1);
        var replay = Chain(SmallFeeder.File(sp1Rating: 8_000), cache: starved);
        var appHash = replay.AppHash;
        foreach (var (height, time, transactions, expected) in h.Blocks)
        {
            var execution = replay.Executor.Execute(replay.State, appHash, height, time, transactions.Select(t => (t, (VerifiedTransaction?)null)).ToList());
            replay.State.Apply(execution.Changes);
            appHash = execution.AppHash;
            Assert.Equal(expected, appHash);
            Assert.True(starved.Count <= 1);
        }
    }

    private static Transaction Update(LedgerHarness h, byte[] model, ulong effectiveFrom, ulong nonce)
    {
        var tx = LedgerHarness.Envelope(new UpdateGridModel { ModelHash = ByteString.CopyFrom(Keccak256.Hash(model).Bytes), EffectiveFrom = effectiveFrom, Nonce = nonce }, h.Utility);
        tx.Attachment = ByteString.CopyFrom(model);
        return tx;
    }
}
