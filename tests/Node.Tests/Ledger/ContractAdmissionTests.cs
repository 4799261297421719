using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>EnergyContract admission: escrow, fees, replay, expiry, gate closure, DSO rules, signatures.</summary>
public class ContractAdmissionTests
{
    [Fact]
    public void EnergyContract_SignedByBoth_CommitsAndEscrowsPaymentPlusBuyerFees()
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob);
        var result = h.One(LedgerHarness.Envelope(terms, h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.Ok, result.Code);
        // 2 intervals × 2,000 Wh at 200,000 µ/kWh = 800,000; DMO fee 1,000 + 4 kWh × 2,000 = 9,000 split 50/50;
        // grid fee (no model: across-substations rate) 4 kWh × 10,000 = 40,000.
        var bob = h.Account(h.Bob);
        Assert.Equal(844_500UL, bob.Escrow);
        Assert.Equal(10_000_000UL - 844_500, bob.Balance);
        var stored = ContractState.Parser.ParseFrom(h.State.Get(StateKeys.Contract(LedgerTypedData.Digest(terms, LedgerHarness.ChainId)))!);
        Assert.Equal(800_000UL, stored.Payment);
        Assert.Equal(4_500UL, stored.DmoFeeSeller);
        Assert.Equal("AcrossSubstations", stored.PathLevel);
    }

    [Fact]
    public void CommittedContract_IsIndexedByWhereItCommitted_PartyEntriesHoldItsId()
    {
        var h = new LedgerHarness();
        // Three contracts in one block (positions 0, 1 and 2), the middle one refused: indexes skip its position.
        var first = h.Contract(h.Alice, h.Bob, nonce: 7);
        var refused = h.Contract(h.Alice, h.Bob, nonce: 8, wh: 0);
        var third = h.Contract(h.Alice, h.Bob, nonce: 1);
        var results = h.Block(1, LedgerHarness.Envelope(first, h.Alice, h.Bob), LedgerHarness.Envelope(refused, h.Alice, h.Bob), LedgerHarness.Envelope(third, h.Alice, h.Bob));
        Assert.Equal([ReasonCodes.Ok, ReasonCodes.InvalidArgument, ReasonCodes.Ok], results.Select(r => r.Code));
        var ids = new[] { first, third }.Select(c => LedgerTypedData.Digest(c, LedgerHarness.ChainId).ToArray()).ToList();

        // Party index: party/<party>/<height>/<position> → id, in commit order (not id order).
        var bobs = h.State.Scan(StateKeys.ContractByPartyScan(h.Bob.Address)).ToList();
        Assert.Equal([StateKeys.ContractByParty(h.Bob.Address, h.Height, 0), StateKeys.ContractByParty(h.Bob.Address, h.Height, 2)], bobs.Select(kv => kv.Key));
        Assert.Equal(ids, bobs.Select(kv => kv.Value));
        Assert.Equal(ids, h.State.Scan(StateKeys.ContractByPartyScan(h.Alice.Address)).Select(kv => kv.Value));

        // Interval index: due/<end>/<height>/<position> → ContractDue carrying the id.
        ulong end = first.IntervalStart + first.IntervalCount * LedgerHarness.Interval;
        var due = h.State.Scan(StateKeys.ContractByIntervalPrefix).ToList();
        Assert.Equal([StateKeys.ContractByInterval(end, h.Height, 0), StateKeys.ContractByInterval(end, h.Height, 2)], due.Select(kv => kv.Key));
        Assert.Equal(ids, due.Select(kv => ContractDue.Parser.ParseFrom(kv.Value).Id.ToByteArray()));
    }

    [Fact]
    public void IndexKeys_SortInCommitOrder_AcrossHeightAndPositionDigits()
    {
        var party = new LedgerHarness().Alice.Address;
        // Zero-padded: ordinal order is (height, position) order even where the digit counts differ.
        var keys = new[] { (9UL, 10), (10UL, 2), (10UL, 9), (10UL, 10), (100UL, 0) }.Select(p => StateKeys.ContractByParty(party, p.Item1, p.Item2)).ToList();
        Assert.Equal(keys, keys.Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.StartsWith(StateKeys.ContractByPartyScan(party), k));
        Assert.Throws<ArgumentOutOfRangeException>(() => StateKeys.ContractByInterval(1, 1, -1));
    }

    [Fact]
    public void NonceReused_SameContractTwice_SecondIsRejected()
    {
        var h = new LedgerHarness();
        var tx = LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Bob);
        Assert.Equal(ReasonCodes.Ok, h.One(tx).Code);
        var replay = h.One(tx);
        Assert.Equal(ReasonCodes.NonceReused, replay.Code);
        Assert.Contains("is already used by a committed EnergyContract", replay.Message);
    }

    [Fact]
    public void NonceReused_ContractRecordPresent_WithoutItsNonceEntries_IsRejectedByTheRecord()
    {
        // The contract's own record is the second replay guard (the one left if the nonce entries were gone): the
        // replay is refused naming the contract, and no second escrow or index entry is written.
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob);
        var tx = LedgerHarness.Envelope(terms, h.Alice, h.Bob);
        Assert.Equal(ReasonCodes.Ok, h.One(tx).Code);
        var nonces = h.State.Scan(StateKeys.NoncePrefix).Select(e => new StateChange(e.Key, null)).ToList();
        Assert.Equal(2, nonces.Count);
        h.State.Apply(nonces);
        var bob = h.Account(h.Bob);

        var replay = h.One(tx);

        Assert.Equal(ReasonCodes.NonceReused, replay.Code);
        Assert.Matches("^contract 0x[0-9a-f]{64} has already been committed", replay.Message);
        Assert.Equal(bob.Escrow, h.Account(h.Bob).Escrow);
        Assert.Single(h.State.Scan(StateKeys.ContractByPartyScan(h.Bob.Address)));
    }

    [Fact]
    public void Expired_ValidUntilPassed_IsRejected()
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob, start: h.IntervalAhead(20));
        terms.ValidUntil = h.NowSeconds + 5;
        var result = h.One(LedgerHarness.Envelope(terms, h.Alice, h.Bob), advanceSeconds: 10);
        Assert.Equal(ReasonCodes.Expired, result.Code);
        Assert.Contains("expired at", result.Message);
    }

    [Fact]
    public void GateClosed_ContractForIntervalWithinLead_IsRejected()
    {
        var h = new LedgerHarness();
        // Next interval starts at most 900 s away; advance to within the 300 s gate-closure lead of it.
        var start = h.IntervalAhead(1);
        var advance = (int)(start - h.NowSeconds) - 299;
        var result = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: start), h.Alice, h.Bob), advance);
        Assert.Equal(ReasonCodes.GateClosed, result.Code);
    }

    [Fact]
    public void GateClosure_OneSecondBefore_Commits()
    {
        var h = new LedgerHarness();
        var start = h.IntervalAhead(1);
        var advance = (int)(start - h.NowSeconds) - 301;
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, start: start), h.Alice, h.Bob), advance).Code);
    }

    [Fact]
    public void BadSignature_OnlySellerSigned_IsRejected()
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice));
        Assert.Equal(ReasonCodes.BadSignature, result.Code);
        Assert.Contains("buyer", result.Message);
    }

    [Fact]
    public void BadSignature_ForeignSigner_IsRejected()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.BadSignature, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Stranger)).Code);
    }

    [Fact]
    public void BadSignature_TamperedTermsAfterSigning_IsRejected()
    {
        var h = new LedgerHarness();
        var tx = LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Bob);
        tx.EnergyContract.PricePerKwh = 1; // signatures were over the original price: they now recover other addresses
        Assert.Equal(ReasonCodes.BadSignature, h.One(tx).Code);
    }

    [Fact]
    public void BadSignature_HighS_IsRejectedWithTheRule()
    {
        var h = new LedgerHarness();
        var tx = LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Bob);
        var sig = tx.Signatures[0].ToByteArray();
        var s = new System.Numerics.BigInteger(sig.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        (Contracts.Crypto.Signature.N - s).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(sig, 32);
        tx.Signatures[0] = ByteString.CopyFrom(sig);
        var result = h.One(tx);
        Assert.Equal(ReasonCodes.BadSignature, result.Code);
        Assert.Contains("upper half", result.Message);
    }

    [Fact]
    public void WrongChain_SignedForAnotherChain_IsRejected()
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), chainId: 1, h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.WrongChain, result.Code);
        Assert.Contains("chain 1", result.Message);
    }

    [Fact]
    public void WrongChain_DomainOfAnotherChainButOurEnvelopeId_RecoversOtherSigners()
    {
        var h = new LedgerHarness();
        var tx = LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), chainId: 1, h.Alice, h.Bob);
        tx.ChainId = LedgerHarness.ChainId; // lie about the domain: the signatures do not match ours
        Assert.Equal(ReasonCodes.BadSignature, h.One(tx).Code);
    }

    [Fact]
    public void InsufficientFunds_BuyerCannotCoverEscrow_IsRejectedWithAmounts()
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: 20_000, price: 1_000_000, count: 10), h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.InsufficientFunds, result.Code);
        Assert.Contains("10000000 micro-units free", result.Message);
        Assert.Equal(10_000_000UL, h.Account(h.Bob).Balance);
    }

    [Fact]
    public void SelfTrade_IsRejected()
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Alice);
        Assert.Equal(ReasonCodes.SelfTrade, h.One(LedgerHarness.Envelope(terms, h.Alice)).Code);
    }

    [Fact]
    public void NotAdmitted_UnknownBuyer_IsRejected()
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob);
        terms.Buyer = ByteString.CopyFrom(h.Stranger.Address.Bytes);
        Assert.Equal(ReasonCodes.NotAdmitted, h.One(LedgerHarness.Envelope(terms, h.Alice, h.Stranger)).Code);
    }

    [Fact]
    public void Suspended_Seller_IsRejected_AndReinstatedSellerTradesAgain()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Suspend { Account = ByteString.CopyFrom(h.Alice.Address.Bytes), Suspended = true, Reason = "unpaid", Nonce = 1 }, h.Operator)).Code);
        var rejected = h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Bob));
        Assert.Equal(ReasonCodes.Suspended, rejected.Code);
        Assert.Contains("unpaid", rejected.Message);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(new Suspend { Account = ByteString.CopyFrom(h.Alice.Address.Bytes), Suspended = false, Nonce = 2 }, h.Operator)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob), h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void UnknownMeter_AndMeterNotOwned_AreRejected()
    {
        var h = new LedgerHarness();
        var unknown = h.Contract(h.Alice, h.Bob); unknown.SellerMeter = "MTR-X";
        Assert.Equal(ReasonCodes.UnknownMeter, h.One(LedgerHarness.Envelope(unknown, h.Alice, h.Bob)).Code);
        var foreign = h.Contract(h.Alice, h.Bob); foreign.SellerMeter = "MTR-B";
        Assert.Equal(ReasonCodes.MeterNotOwned, h.One(LedgerHarness.Envelope(foreign, h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void InvalidArgument_MisalignedIntervalOrZeroEnergy_IsRejected()
    {
        var h = new LedgerHarness();
        var misaligned = h.Contract(h.Alice, h.Bob); misaligned.IntervalStart += 1;
        Assert.Contains("not aligned", h.One(LedgerHarness.Envelope(misaligned, h.Alice, h.Bob)).Message);
        var zero = h.Contract(h.Alice, h.Bob, wh: 0);
        Assert.Equal(ReasonCodes.InvalidArgument, h.One(LedgerHarness.Envelope(zero, h.Alice, h.Bob)).Code);
    }

    [Fact]
    public void Malformed_AddressOfWrongLength_IsRejected()
    {
        var h = new LedgerHarness();
        var terms = h.Contract(h.Alice, h.Bob); terms.Buyer = ByteString.CopyFrom(new byte[3]);
        var tx = new Transaction { ChainId = LedgerHarness.ChainId, EnergyContract = terms };
        tx.Signatures.Add(ByteString.CopyFrom(new byte[65]));
        var result = h.One(tx);
        Assert.Equal(ReasonCodes.Malformed, result.Code);
        Assert.Contains("buyer", result.Message);
    }

    [Fact]
    public void Malformed_GarbageBytes_GetAResultNotACrash()
    {
        var h = new LedgerHarness();
        var execution = h.Executor.Execute(h.State, h.AppHash, 1, h.TimeMs + 1000, [(new byte[] { 0xff, 0xff, 0xff }, null)]);
        Assert.Equal(ReasonCodes.Malformed, execution.Results[0].Code);
        Assert.Empty(execution.Changes);
    }
}
