using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Node.Grid;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>The voltage segment tree against a plain array: range adds (one by one or batched), min, max, point reads.</summary>
public class VoltageTreeTests
{
    [Fact]
    public void RangeAdds_MatchAPlainArray()
    {
        var op = Gen.Choose(0, 99).SelectMany(a => Gen.Choose(0, 99).SelectMany(b => Gen.Choose(-1000, 1000).Select(d => (Math.Min(a, b), Math.Max(a, b) + 1, (long)d))));
        var plan = Gen.Choose(1, 100).SelectMany(n => Gen.Choose(1, 30).SelectMany(k => Gen.ArrayOf(op, k).Select(ops => (n, ops))));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(plan), p =>
        {
            var (n, ops) = p;
            var plain = Enumerable.Range(0, n).Select(i => (long)(i * 7 % 13)).ToArray();
            var single = new VoltageTree(plain);
            var batched = new VoltageTree(plain);
            var valid = ops.Where(o => o.Item2 <= n).ToArray();
            foreach (var (from, to, delta) in valid)
            {
                for (int i = from; i < to; i++) plain[i] += delta;
                single.Add(from, to, delta);
            }
            batched.AddAll(valid.Select(o => o.Item1).ToArray(), valid.Select(o => o.Item2).ToArray(), valid.Select(o => o.Item3).ToArray());
            foreach (var tree in new[] { single, batched })
            {
                if (tree.Min != plain.Min() || tree.Max != plain.Max()) return false;
                if (plain[tree.ArgMin()] != plain.Min() || plain[tree.ArgMax()] != plain.Max()) return false;
                if (Enumerable.Range(0, n).Any(i => tree.At(i) != plain[i])) return false;
            }
            return true;
        }));
    }

    [Fact]
    public void AnAddBeyond64Bits_Throws_LikeTheFlowBook_InsteadOfWrapping()
    {
        // Issue 12 item 3: the flow book's sums are checked; the tree that carries its voltages must be too, or a wrapped
        // v² (hugely negative) would decide a VOLTAGE_LIMIT verdict.
        var tree = new VoltageTree([0, 0, 0]);
        tree.Add(0, 3, long.MaxValue - 10);
        Assert.Throws<OverflowException>(() => tree.Add(1, 2, 11));
        Assert.Throws<OverflowException>(() => tree.AddAll([0, 2], [1, 3], [long.MinValue, 11]));
    }
}
