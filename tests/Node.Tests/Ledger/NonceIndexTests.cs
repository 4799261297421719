using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// docs/typed-data.md: "a nonce may be used once per signer and struct type (NONCE_REUSED)". Issue 12 item 7 found the
/// same nonce with different terms committed twice; the per-signer index (NonceIndex) makes the promise hold.
/// </summary>
public sealed class NonceIndexTests
{
    private static ByteString A(Contracts.Crypto.PrivateKey key) => ByteString.CopyFrom(key.Address.Bytes);

    private static int NonceEntries(LedgerHarness h) => h.State.Scan(StateKeys.NoncePrefix).Count();

    [Fact]
    public void SameNonce_DifferentTerms_IsNonceReused_NamingTheSigner()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 1_000, nonce: 7), h.Alice, h.Bob)).Code);
        var again = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 1_500, nonce: 7), h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.NonceReused, again.Code);
        Assert.Contains($"nonce 7 of signer {h.Alice.Address}", again.Message);
        // Bob reversing roles with the same nonce: both signed nonce 7 before, so it is still used.
        Assert.Equal(ReasonCodes.NonceReused, h.One(LedgerHarness.Envelope(h.Contract(h.Bob, h.Alice, nonce: 7), h.Bob, h.Alice)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 1_500, nonce: 8), h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void EveryTransactionBodyWithANonce_IsIndexed()
    {
        // A body type added later (SetValidatorSet was) must not slip past the index by being left out of its list.
        foreach (var field in Transaction.Descriptor.Oneofs[0].Fields)
        {
            if (field.MessageType.FindFieldByName("nonce") is not { } nonce) continue;
            var body = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
            nonce.Accessor.SetValue(body, 42UL);
            Assert.True(NonceIndex.NonceOf(body) == 42UL, $"{field.MessageType.Name} carries a nonce the index does not read");
        }
    }

    [Fact]
    public void SameNonce_InAnotherStructType_IsIndependent()
    {
        var h = new LedgerHarness();
        var offer = new Offer { Maker = A(h.Alice), Meter = "MTR-A", Sell = true, IntervalStart = h.IntervalAhead(2), IntervalCount = 1, WhPerInterval = 500, PricePerKwh = 1, Nonce = 3, ValidUntil = h.NowSeconds + 3600 };
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(offer, h.Alice)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 3), h.Alice, h.Bob)).Code);
        offer.WhPerInterval = 600;
        Assert.Equal(ReasonCodes.NonceReused, h.One(LedgerHarness.Envelope(offer, h.Alice)).Code);
    }

    [Fact]
    public void KindsWithoutValidUntil_KeepTheirNonceForGood()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Deposit { Account = A(h.Alice), Amount = 5, Nonce = 9 }, h.Operator)).Code);
        var later = h.One(LedgerHarness.Envelope(new Deposit { Account = A(h.Alice), Amount = 6, Nonce = 9 }, h.Operator), advanceSeconds: 2 * 86_400);
        Assert.Equal(ReasonCodes.NonceReused, later.Code);
    }

    [Fact]
    public void RefusedTransaction_LeavesItsNonceUnused()
    {
        var h = new LedgerHarness();
        var closed = h.Contract(h.Alice, h.Bob, start: h.IntervalAhead(0), nonce: 5);
        Assert.Equal(ReasonCodes.GateClosed, h.One(LedgerHarness.Envelope(closed, h.Alice, h.Bob)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 5), h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void AfterValidUntil_TheEntryIsSwept_AndTheNonceIsFreeAgain()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, nonce: 11), h.Alice, h.Bob)).Code);
        Assert.Equal(2, NonceEntries(h)); // one per signer
        h.Block(3601); // past validUntil (block time + 3600): the next block's sweep deletes both entries
        Assert.Equal(0, NonceEntries(h));
        // A new struct with the old nonce and a later validUntil: the old one can never commit again (EXPIRED), so no replay.
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 999, nonce: 11), h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void Sweep_ExaminesABoundedNumberPerBlock_AndResumesWhereItStopped()
    {
        var h = new LedgerHarness();
        int expired = 2 * NonceIndex.SweepBudget + 10;
        var stale = new byte[8]; // validUntil 0: long expired
        h.State.Apply(Enumerable.Range(0, expired).Select(i => new StateChange(StateKeys.Nonce(h.Stranger.Address, "Offer", (ulong)i), stale))
            .OrderBy(c => c.Key, StringComparer.Ordinal).ToList());

        h.Block(1);
        Assert.Equal(expired - NonceIndex.SweepBudget, NonceEntries(h));
        Assert.NotNull(h.State.Get(StateKeys.NonceSweepCursor));
        h.Block(1);
        Assert.Equal(10, NonceEntries(h));
        h.Block(1);
        Assert.Equal(0, NonceEntries(h));
        Assert.Null(h.State.Get(StateKeys.NonceSweepCursor)); // reached the end: the next sweep starts over
    }
}
