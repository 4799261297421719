using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// DESIGN.md rules 3 and 5 over random sequences of valid and invalid transactions: funds are conserved after
/// every block (the harness checks), and replaying the blocks from genesis reproduces every app hash.
/// </summary>
public class LedgerPropertyTests
{
    private static ByteString A(PrivateKey k) => ByteString.CopyFrom(k.Address.Bytes);

    /// <summary>Turns a random integer into one transaction, valid or not, signed by whoever the draw says.</summary>
    private static Transaction Draw(LedgerHarness h, int roll, ulong nonce)
    {
        var parties = new[] { h.Alice, h.Bob, h.Carol, h.Stranger, h.Operator, h.Utility };
        var signer = parties[(roll >> 8) % parties.Length];
        var other = parties[(roll >> 12) % parties.Length];
        ulong amount = (ulong)((roll >> 4) % 7) * 250_000;
        return (roll & 0xf) switch
        {
            0 or 1 or 2 => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 1 + amount / 100, nonce: nonce, count: (uint)(1 + roll % 3)), h.Alice, h.Bob),
            3 => LedgerHarness.Envelope(h.Contract(h.Bob, h.Alice, nonce: nonce), h.Bob, signer),
            4 => LedgerHarness.Envelope(new Deposit { Account = A(other), Amount = amount, Nonce = nonce }, (roll & 0x100) == 0 ? h.Operator : signer),
            5 => LedgerHarness.Envelope(new Withdraw { Account = A(other), Amount = amount * 10, Nonce = nonce }, h.Operator),
            6 => LedgerHarness.Envelope(new Admit { Account = A(other), Role = "Consumer", Nonce = nonce }, h.Operator),
            7 => LedgerHarness.Envelope(new Suspend { Account = A(other), Suspended = (roll & 0x200) != 0, Reason = "draw", Nonce = nonce }, h.Operator),
            8 => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 1), h.Alice, h.Bob), // a replay after the first
            9 => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: nonce), chainId: 99, h.Alice, h.Bob),
            10 => LedgerHarness.Envelope(new Offer { Maker = A(h.Alice), Meter = "MTR-A", Sell = true, IntervalStart = h.IntervalAhead(3), IntervalCount = 1, WhPerInterval = 1_000, PricePerKwh = 100_000, Nonce = nonce, ValidUntil = h.NowSeconds + 900 }, h.Alice),
            11 => LedgerHarness.Envelope(new Contracts.Protos.Delegate { Member = A(h.Bob), Aggregator = A(h.Aggregator), Active = (roll & 0x400) == 0, Nonce = nonce }, h.Bob),
            12 => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: nonce), h.Alice, h.Aggregator),
            _ => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 50_000_000, price: 10_000_000, nonce: nonce), h.Alice, h.Bob), // unaffordable
        };
    }

    [Fact]
    public void RandomSequences_ConserveFunds_AndReplayReproducesEveryAppHash()
    {
        var block = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n));
        var blocks = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(block, n));
        var property = Prop.ForAll(Arb.From(blocks), plan =>
        {
            var h = new LedgerHarness();
            ulong nonce = 1;
            foreach (var block in plan)
                h.Block(7, block.Select(roll => Draw(h, roll, nonce++)).ToArray()); // asserts conservation per block

            var replay = new LedgerHarness();
            var state = replay.State;
            var appHash = replay.AppHash;
            foreach (var (height, time, transactions, expected) in h.Blocks)
            {
                var execution = replay.Executor.Execute(state, appHash, height, time, transactions.Select(t => (t, (VerifiedTransaction?)null)).ToList());
                state.Apply(execution.Changes);
                appHash = execution.AppHash;
                if (appHash != expected) return false;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    [Fact]
    public void AppHash_DependsOnEveryChange_AndOnHistory()
    {
        var a = AppHash.Next(Hash32.Zero, [new("k", [1])]);
        Assert.NotEqual(a, AppHash.Next(Hash32.Zero, [new("k", [2])]));
        Assert.NotEqual(a, AppHash.Next(Hash32.Zero, [new("k", null)]));
        Assert.NotEqual(a, AppHash.Next(Keccak256.Hash(new byte[] { 1 }.AsSpan()), [new("k", [1])]));
        Assert.Throws<ArgumentException>(() => AppHash.Next(Hash32.Zero, [new("b", [1]), new("a", [1])]));
    }

    [Fact]
    public void AppHash_CoversEveryResult_CodeMessageAndIds()
    {
        // Issue 12 item 1: nodes must agree on outcomes and messages, not only on state.
        TransactionResult Result(string code = "OK", string message = "", byte id = 1) => new()
        {
            TransactionId = ByteString.CopyFrom(Enumerable.Repeat(id, 32).ToArray()), Code = code, Message = message, PayloadId = ByteString.CopyFrom(new byte[32]),
        };
        StateChange[] changes = [new("k", [1])];
        var a = AppHash.Next(Hash32.Zero, changes, [Result()]);
        Assert.NotEqual(a, AppHash.Next(Hash32.Zero, changes, []));
        Assert.NotEqual(a, AppHash.Next(Hash32.Zero, changes, [Result(code: "INVALID_ARGUMENT")]));
        Assert.NotEqual(a, AppHash.Next(Hash32.Zero, changes, [Result(message: "a different text")]));
        Assert.NotEqual(a, AppHash.Next(Hash32.Zero, changes, [Result(id: 2)]));
        Assert.NotEqual(AppHash.Next(Hash32.Zero, changes, [Result(message: "ab"), Result()]), AppHash.Next(Hash32.Zero, changes, [Result(message: "a"), Result(message: "b")]));
        Assert.Equal(a, AppHash.Next(Hash32.Zero, changes, [Result()]));
    }

    [Fact]
    public void Genesis_SameDocument_SameAppHash()
        => Assert.Equal(new LedgerHarness().AppHash, new LedgerHarness().AppHash);

    [Fact]
    public void Genesis_BadFields_AreNamed()
    {
        var e = Assert.Throws<GenesisException>(() => GenesisDocument.Parse("""{"chainId": 1, "marketName": "m", "genesisTime": "2026-01-01T00:00:00Z", "intervalSeconds": 7}"""));
        Assert.Contains("intervalSeconds", e.Message);
        Assert.Contains("schema", Assert.Throws<GenesisException>(() => GenesisDocument.Parse("""{"chainId": 1, "bogus": 2}""")).Message);
    }
}
