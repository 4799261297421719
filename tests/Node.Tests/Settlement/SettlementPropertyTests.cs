using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>
/// Random markets run through settlement: contracts both ways, readings that over- and under-deliver or never come,
/// deposits and withdrawals, clock jumps across intervals and days. After every block the harness checks funds
/// conserved to the micro-unit, escrow released = payments + fees, and Σ imbalance energy = the POLR's net supply
/// (<see cref="SettlementInvariants"/>); at the end, replaying the blocks reproduces every app hash.
/// </summary>
public class SettlementPropertyTests
{
    private static Transaction Draw(SettlementScenario s, int roll, ulong nonce)
    {
        var h = s.H;
        ulong recent = (h.NowSeconds / LedgerHarness.Interval - 1 - (ulong)((roll >> 4) % 4)) * LedgerHarness.Interval;
        ulong wh = (ulong)((roll >> 8) % 5_000);
        return (roll & 0x7) switch
        {
            0 or 1 => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: h.IntervalAhead(2 + (roll >> 4) % 3), wh: 1 + wh, nonce: nonce, count: (uint)(1 + (roll >> 12) % 3)), h.Alice, h.Bob),
            2 => LedgerHarness.Envelope(h.Contract(h.Bob, h.Alice, start: h.IntervalAhead(2), wh: 1 + wh, nonce: nonce), h.Bob, h.Alice),
            3 => s.Reading(h.AliceDevice, "MTR-A", recent, wh / 3, wh),
            4 => s.Reading(h.BobDevice, "MTR-B", recent, wh, (ulong)(roll >> 20) % 1_000),
            5 => LedgerHarness.Envelope(new Deposit { Account = SettlementScenario.A((roll & 0x8) == 0 ? h.Alice : h.Utility), Amount = 1 + wh * 100, Nonce = nonce }, h.Operator),
            6 => LedgerHarness.Envelope(new Withdraw { Account = SettlementScenario.A((roll & 0x8) == 0 ? h.Alice : h.Bob), Amount = 1 + wh * 1_000, Nonce = nonce }, h.Operator),
            _ => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 1 + wh, price: 1, nonce: nonce), h.Alice, h.Bob), // seller fee > payout
        };
    }

    [Fact]
    public void RandomMarkets_KeepSettlementInvariants_AfterEveryBlock_AndReplay()
    {
        var step = Gen.Elements(1, 60, 301, 900, 1_800, 3_700, 90_000);
        var block = step.SelectMany(advance => Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)).Select(rolls => (advance, rolls)));
        var plans = Gen.Choose(1, 25).SelectMany(n => Gen.ArrayOf(block, n));
        var property = Prop.ForAll(Arb.From(plans), plan =>
        {
            var s = new SettlementScenario(configure: g => { g.Fees.PolrStandbyPerDay = 40_000; g.Fees.DmoSubscriptionPerMonth = 7_000; });
            ulong nonce = 100;
            foreach (var (advance, rolls) in plan)
                s.H.Block(advance, rolls.Select(roll => Draw(s, roll, nonce++)).ToArray()); // invariants asserted per block
            s.H.Block(3 * 86_400); // let everything committed settle
            // Everything settled: no escrow is left anywhere, and no index entry names a contract running at or after
            // the settlement cursor (entries stay once settled; the range scan skips them).
            Assert.All(s.H.State.Scan(Node.Ledger.State.StateKeys.AccountPrefix), kv => Assert.Equal(0UL, AccountState.Parser.ParseFrom(kv.Value).Escrow));
            ulong next = Node.Market.Settlement.SettlementProgress.NextInterval(s.H.State);
            Assert.Empty(s.H.State.Scan(Node.Ledger.State.StateKeys.ContractByIntervalPrefix, Node.Ledger.State.StateKeys.ContractByIntervalEndingAfter(next)));

            var replay = new SettlementScenario(configure: g => { g.Fees.PolrStandbyPerDay = 40_000; g.Fees.DmoSubscriptionPerMonth = 7_000; }).H;
            var appHash = replay.AppHash;
            foreach (var (height, time, transactions, expected) in s.H.Blocks)
            {
                var execution = replay.Executor.Execute(replay.State, appHash, height, time, transactions.Select(t => (t, (VerifiedTransaction?)null)).ToList());
                replay.State.Apply(execution.Changes);
                appHash = execution.AppHash;
                if (appHash != expected) return false;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(30), property);
    }
}
