using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Node.Grid;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// The flow book is a function of the set of committed contracts: committing the same contracts in any order gives
/// the same branch flows, voltages and meter nets — and the same book a cold rebuild from state gives.
/// </summary>
public class FlowBookPropertyTests
{
    private static readonly string[] Nodes = ["SP1", "SP2", "SP3", "T1", "F1"];
    private static readonly uint[] PowerFactors = [0, 1000, 950, 800, 900];

    private static GridModel Roomy()
    {
        var file = SmallFeeder.File();
        file.VMinPu = 0.5m;
        file.VMaxPu = 1.5m;
        foreach (var node in file.Nodes.Where(n => n.Parent is not null)) node.RatingW = 1_000_000_000_000;
        return GridModel.Load(file.ToJsonBytes());
    }

    private static (string[] State, long[] Nets) Snapshot(GridModel model, FlowBook book, MeterPoint[] meters)
        => (Enumerable.Range(0, model.Count).Select(i => $"{book.FlowW(i)}/{book.FlowVar(i)}/{book.VoltageSquared(i)}").ToArray(),
            meters.Select(m => book.MeterNet(m.Id)).ToArray());

    [Fact]
    public void FinalFlowBook_DoesNotDependOnCommitOrder()
    {
        var model = Roomy();
        var meters = Nodes.Select((node, i) => SmallFeeder.Meter(model, $"M{i}", node, PowerFactors[i], limitW: long.MaxValue)).ToArray();
        var contract = Gen.Choose(0, meters.Length - 1).SelectMany(seller => Gen.Choose(1, meters.Length - 1)
            .SelectMany(offset => Gen.Choose(1, 2_000_000).Select(power => (seller, offset, power))));
        var plan = Gen.Choose(1, 25).SelectMany(n => Gen.ArrayOf(contract, n))
            .SelectMany(list => Gen.Shuffle(list).Select(shuffled => (list, shuffled)));
        var property = Prop.ForAll(Arb.From(plan), p =>
        {
            FlowBook Commit((int, int, int)[] contracts)
            {
                var book = SmallFeeder.Book(model, ("T2", 12_345, -678));
                foreach (var (seller, offset, power) in contracts)
                {
                    var (s, b) = (meters[seller], meters[(seller + offset) % meters.Length]);
                    if (book.Check(s, b, power) is { } refused) throw new InvalidOperationException(refused.Message);
                    book.Apply(s, b, power);
                }
                return book;
            }
            var first = Commit(p.list);
            var second = Commit(p.shuffled);
            var rebuilt = new FlowBook(model, SmallFeeder.Interval, [(model.IndexOf("T2"), 12_345, -678)], meters.Select(m => (m, first.MeterNet(m.Id))));
            var a = Snapshot(model, first, meters);
            var b = Snapshot(model, second, meters);
            var c = Snapshot(model, rebuilt, meters);
            return a.State.SequenceEqual(b.State) && a.Nets.SequenceEqual(b.Nets) && a.State.SequenceEqual(c.State) && a.Nets.SequenceEqual(c.Nets);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }
}
