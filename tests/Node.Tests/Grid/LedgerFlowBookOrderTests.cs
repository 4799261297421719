using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// Order independence through the whole ledger: the same contracts committed one per block in two different orders
/// leave the same grid state (injections), hence the same flow book, in every interval.
/// </summary>
public class LedgerFlowBookOrderTests
{
    private static LedgerHarness Chain()
    {
        var bytes = SmallFeeder.File().ToJsonBytes();
        return new LedgerHarness(grid: new GridAdmission(new FlowBookCache()), gridModel: bytes, configure: g =>
        {
            g.GridModelFile = "grid.json";
            g.GridModelHash = Keccak256.Hash(bytes).ToString();
        });
    }

    private static string[] GridState(LedgerHarness h)
        => h.State.Scan(Node.Grid.GridState.InjectionPrefix).Select(kv => $"{kv.Key}={Node.Grid.GridState.Decode(kv.Value)}").ToArray();

    [Fact]
    public void CommitOrder_DoesNotChangeTheGridState()
    {
        // (Alice sells?, Wh ≤ 400 so six contracts stay inside the 10 kW meter limits, first interval 2..4 ahead, count 1..3)
        var contract = Gen.Elements(true, false).SelectMany(aliceSells => Gen.Choose(1, 400)
            .SelectMany(wh => Gen.Choose(2, 4).SelectMany(ahead => Gen.Choose(1, 3).Select(count => (aliceSells, wh, ahead, count)))));
        var plan = Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(contract, n)).SelectMany(list => Gen.Shuffle(list).Select(shuffled => (list, shuffled)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(15), Prop.ForAll(Arb.From(plan), p =>
        {
            string[] Run((bool AliceSells, int Wh, int Ahead, int Count)[] contracts)
            {
                var h = Chain();
                // Nonces from the contract's identity, so both orders sign the very same contracts.
                foreach (var (c, i) in contracts.Select((c, i) => (c, i)))
                {
                    var (seller, buyer) = c.AliceSells ? (h.Alice, h.Bob) : (h.Bob, h.Alice);
                    var terms = h.Contract(seller, buyer, start: (h.NowSeconds / LedgerHarness.Interval + (ulong)c.Ahead) * LedgerHarness.Interval,
                        wh: (ulong)c.Wh, nonce: (ulong)(c.Wh * 100 + c.Ahead * 10 + c.Count) * 2 + (c.AliceSells ? 1UL : 0), count: (uint)c.Count);
                    var result = h.One(LedgerHarness.Envelope(terms, h.Alice, h.Bob), advanceSeconds: 0);
                    if (result.Code is not ("OK" or "NONCE_REUSED")) throw new InvalidOperationException(result.Message);
                }
                return GridState(h);
            }
            return Run(p.list).SequenceEqual(Run(p.shuffled));
        }));
    }
}
