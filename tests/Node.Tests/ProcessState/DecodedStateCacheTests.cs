using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Tests.Grid;
using Xunit;

namespace P2PEnergy.Node.Tests.ProcessState;

/// <summary>
/// No process cache may change an outcome: installed models and fee histories read through the host's memo of
/// decodings (warm) are the ones a reader without it (cold, as tools and tests read) parses on every read.
/// </summary>
public class DecodedStateCacheTests
{
    private const ulong Later = SmallFeeder.Interval + 3600;

    /// <summary>Committed state holding two installed models and two versions of each fee schedule part.</summary>
    private static MemoryState Committed(long laterSp1Rating = 20_000)
    {
        var committed = new MemoryState();
        var block = new StateOverlay(committed);
        foreach (var (from, rating) in new[] { (0UL, 50_000L), (Later, laterSp1Rating) })
        {
            var file = SmallFeeder.File(sp1Rating: rating).ToJsonBytes();
            GridState.InstallModel(block, from, file, Keccak256.Hash(file));
        }
        foreach (var (from, scale) in new[] { (0UL, 1UL), (Later, 3UL) })
        {
            FeeSchedule.Put(block, new SetDmoFees { EffectiveFrom = from, FixedPerContract = 10 * scale, PerKwh = 2 * scale, BuyerSharePermille = 500, SubscriptionPerMonth = 7 * scale });
            FeeSchedule.Put(block, new SetGridFees { EffectiveFrom = from, SameTransformerPerKwh = scale, SameFeederPerKwh = 2 * scale, SameSubstationPerKwh = 3 * scale, AcrossSubstationsPerKwh = 4 * scale });
            FeeSchedule.Put(block, new SetPolrTariff { EffectiveFrom = from, StandbyPerDay = 5 * scale });
        }
        committed.Apply(block.Changes());
        return committed;
    }

    private static string Reads(IStateReader state)
    {
        var lines = new List<string>();
        foreach (var time in new[] { 0UL, SmallFeeder.Interval, Later - 1, Later, Later + 86_400 })
        {
            var model = InstalledModels.At(state, time)!;
            lines.Add($"{time}: model {model.Hash} sp1 {model.Rating[model.IndexOf("SP1")]} level {model.Level(model.IndexOf("SP1"), model.IndexOf("SP3"))}");
            lines.Add($"{time}: {FeeSchedule.DmoAt(state, time)} {FeeSchedule.GridAt(state, time)} {FeeSchedule.PolrAt(state, time)}");
        }
        foreach (var model in InstalledModels.InForceDuring(state, SmallFeeder.Interval, Later + 1)) lines.Add($"in force: {model.Hash}");
        return string.Join("\n", lines);
    }

    [Fact]
    public void Reads_through_the_memo_equal_reads_that_parse_every_time()
    {
        var committed = Committed();
        var cold = Reads(new StateOverlay(committed));
        var memo = new DecodedStateCache();
        var warming = Reads(new StateOverlay(committed, memo));
        var warm = Reads(new StateOverlay(committed, memo));

        Assert.Equal(cold, warming);
        Assert.Equal(cold, warm);
        Assert.Contains("sp1 20000", cold); // both models and both fee versions were read
        Assert.Contains("\"subscriptionPerMonth\": \"21\"", cold);
    }

    [Fact]
    public void A_warm_read_is_the_held_decoding_and_a_cold_read_parses_anew()
    {
        var committed = Committed();
        var memo = new DecodedStateCache();
        var warm = new StateOverlay(committed, memo);
        Assert.Same(InstalledModels.At(warm, Later), InstalledModels.At(new StateOverlay(committed, memo), Later));
        Assert.Same(FeeSchedule.DmoAt(warm, Later), FeeSchedule.DmoAt(new GuardedState(warm), Later));

        var cold = new StateOverlay(committed);
        Assert.NotSame(InstalledModels.At(cold, Later), InstalledModels.At(cold, Later));
        Assert.NotSame(FeeSchedule.DmoAt(cold, Later), FeeSchedule.DmoAt(cold, Later));
    }

    [Fact]
    public void Forks_that_installed_different_files_at_one_interval_never_share_a_held_model()
    {
        var memo = new DecodedStateCache();
        var one = InstalledModels.At(new StateOverlay(Committed(laterSp1Rating: 20_000), memo), Later)!;
        var other = InstalledModels.At(new StateOverlay(Committed(laterSp1Rating: 30_000), memo), Later)!;

        Assert.Equal(20_000, one.Rating[one.IndexOf("SP1")]);
        Assert.Equal(30_000, other.Rating[other.IndexOf("SP1")]);
    }

    [Fact]
    public void A_full_memo_empties_and_still_answers_what_parsing_gives()
    {
        var committed = Committed();
        var memo = new DecodedStateCache(capacity: 1);
        var expected = Reads(new StateOverlay(committed));

        Assert.Equal(expected, Reads(new StateOverlay(committed, memo)));
        Assert.Equal(expected, Reads(new StateOverlay(committed, memo)));
    }

    [Fact]
    public void The_node_s_committed_and_door_state_caches_carry_the_process_memo()
    {
        var committed = Committed();
        Assert.Same(DecodedStateCache.Process, ((IStateReader)new StateOverlay(new GuardedState(new CommittedStateCache(committed)))).Decodings);
        Assert.Same(DecodedStateCache.Process, ((IStateReader)new DoorStateCache(committed, () => 1)).Decodings);
        Assert.Null(((IStateReader)new StateOverlay(committed)).Decodings);
    }

    [Fact]
    public void Fee_history_arrays_filling_their_kind_never_evict_a_held_grid_model()
    {
        var memo = new DecodedStateCache(capacity: 2);
        var model = new object();
        int parses = 0;
        Assert.Same(model, memo.Decoded(Hash32.Zero, model, m => { parses++; return m; }));
        for (int i = 0; i < 10; i++) memo.Decoded(new byte[] { (byte)i }, i, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Same(model, memo.Decoded(Hash32.Zero, new object(), m => { parses++; return m; }));
        Assert.Equal(1, parses);
    }
}
