using Google.Protobuf;
using P2PEnergy.Anchor.Proofs;
using P2PEnergy.Anchor.Tests.Support;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Anchor.Tests.Proofs;

/// <summary>
/// The offline checks of a contract proof, each tampering caught with the reason that names it, for sets of 4 and 7
/// validators signing their commits as the ledger's validators do.
/// </summary>
public sealed class ProofVerifierTests
{
    public static TheoryData<int> SetSizes() => [4, 7];

    [Theory]
    [MemberData(nameof(SetSizes))]
    public void HonestProof_Holds_NamingContractPartiesBlockAndSigners(int count)
    {
        var validators = new TestValidators($"proof-{count}", count);
        var factory = new ProofFactory(validators);
        var (proof, _) = factory.Contract();
        var verdict = ProofVerifier.Verify(proof);
        Assert.True(verdict.Holds, verdict.Message);
        Assert.Contains(verdict.Facts, f => f.Contains("2500 Wh in each of 4 interval(s)"));
        Assert.Contains(verdict.Facts, f => f.Contains($"{factory.Seller.Address} (the seller) and {factory.Buyer.Address} (the buyer)"));
        Assert.Contains(verdict.Facts, f => f.Contains("is number 2 of 5 in block 10"));
    }

    [Fact]
    public void JsonRoundTrip_KeepsEveryField()
    {
        var (proof, _) = new ProofFactory(new TestValidators("json", 4)).Contract();
        var again = ProofJson.Read(ProofJson.Write(proof));
        Assert.Equal(proof, again);
        Assert.True(ProofVerifier.Verify(again).Holds);
    }

    [Fact]
    public void ChangedAmountInTheTransaction_IsContractIdMismatch()
    {
        var factory = new ProofFactory(new TestValidators("amount", 4));
        var (proof, terms) = factory.Contract();
        var envelope = Transaction.Parser.ParseFrom(proof.Transactions[0].Transaction);
        envelope.EnergyContract.WhPerInterval = 25_000;
        proof.Transactions[0].Transaction = envelope.ToByteString();
        var verdict = ProofVerifier.Verify(proof);
        Assert.Equal(ProofReasons.ContractIdMismatch, verdict.Code);
        Assert.Contains($"claims contract {LedgerTypedData.Digest(terms, TestValidators.LedgerChainId)}", verdict.Message);
    }

    [Fact]
    public void ChangedAmountWithItsNewId_IsNotInTheBlock()
    {
        // A forger who also updates the contract id: the transaction's id changes, so it is no longer the committed one.
        var factory = new ProofFactory(new TestValidators("amount-id", 4));
        var (proof, terms) = factory.Contract();
        terms.WhPerInterval = 25_000;
        proof.Transactions[0].Transaction = ByteString.CopyFrom(ProofFactory.Envelope(terms, factory.Seller, factory.Buyer));
        proof.ContractId = ByteString.CopyFrom(LedgerTypedData.Digest(terms, TestValidators.LedgerChainId).Bytes);
        Assert.Equal(ProofReasons.NotInBlock, ProofVerifier.Verify(proof).Code);
    }

    [Fact]
    public void EditedReadablePayload_IsRefusedWhenReading()
    {
        var (proof, _) = new ProofFactory(new TestValidators("payload", 4)).Contract();
        var json = ProofJson.Write(proof).Replace("\"whPerInterval\": \"2500\"", "\"whPerInterval\": \"25000\"");
        Assert.Contains("payload does not match the transaction bytes", Assert.Throws<ProofFormatException>(() => ProofJson.Read(json)).Message);
    }

    [Fact]
    public void WrongAuditPath_IsNotInBlock()
    {
        var (proof, _) = new ProofFactory(new TestValidators("path", 4)).Contract();
        proof.Transactions[0].AuditPath[0] = ByteString.CopyFrom(Keccak256.Hash("another sibling"u8).Bytes);
        var verdict = ProofVerifier.Verify(proof);
        Assert.Equal(ProofReasons.NotInBlock, verdict.Code);
        Assert.Contains("block 10's transactions root is", verdict.Message);
        var (moved, _) = new ProofFactory(new TestValidators("path", 4)).Contract();
        moved.Transactions[0].Index = 1;
        Assert.Equal(ProofReasons.NotInBlock, ProofVerifier.Verify(moved).Code);
    }

    [Fact]
    public void HeaderFromAnotherHeight_BreaksTheChain()
    {
        var validators = new TestValidators("height", 4);
        var (proof, _) = new ProofFactory(validators).Contract();
        proof.Headers[1] = proof.Headers[3].Clone(); // block 13's signed header where block 11 belongs
        var verdict = ProofVerifier.Verify(proof);
        Assert.Equal(ProofReasons.HeaderChainBroken, verdict.Code);
        Assert.Contains("headers[1] is height 13, expected 11", verdict.Message);
    }

    [Fact]
    public void HeaderOfAnotherHistory_BreaksTheChainAtItsLink()
    {
        // A validly signed block 11 of another history (other transactions): it does not name block 10 as its parent.
        var validators = new TestValidators("history", 4);
        var (proof, _) = new ProofFactory(validators).Contract();
        var (other, _) = new ProofFactory(validators).Contract(height: 11, to: 14);
        proof.Headers[1] = other.Headers[0];
        var verdict = ProofVerifier.Verify(proof);
        Assert.Equal(ProofReasons.HeaderChainBroken, verdict.Code);
        Assert.Contains("header 11 names previous block", verdict.Message);
    }

    [Theory]
    [MemberData(nameof(SetSizes))]
    public void CommitOfTwoThirdsOrLess_IsInsufficientPower(int count)
    {
        var validators = new TestValidators($"power-{count}", count);
        var (proof, _) = new ProofFactory(validators).Contract();
        int atMostTwoThirds = count * 2 / 3; // 2 of 4, 4 of 7
        proof.Headers[2] = validators.Commit(proof.Headers[2].Header, Enumerable.Range(0, atMostTwoThirds));
        var verdict = ProofVerifier.Verify(proof);
        Assert.Equal(ProofReasons.InsufficientPower, verdict.Code);
        Assert.Contains($"holds {atMostTwoThirds * 10} of {count * 10} voting power", verdict.Message);
    }

    [Fact]
    public void CommitSignedByStrangers_IsInvalid_AndUnlistedSet_IsMissing()
    {
        var validators = new TestValidators("strangers", 4);
        var (proof, _) = new ProofFactory(validators).Contract();
        var strangers = new TestValidators("strangers-others", 4);
        proof.Headers[1] = strangers.CommitByAll(proof.Headers[1].Header);
        var verdict = ProofVerifier.Verify(proof);
        Assert.Equal(ProofReasons.CommitInvalid, verdict.Code);
        Assert.Contains("is not in the validator set", verdict.Message);
        var (noSet, _) = new ProofFactory(validators).Contract();
        noSet.ValidatorSets.Clear();
        Assert.Equal(ProofReasons.MissingValidatorSet, ProofVerifier.Verify(noSet).Code);
    }

    [Fact]
    public void ContractFromATake_NeedsTheOffer_SignedByTheMaker()
    {
        var validators = new TestValidators("take", 4);
        var factory = new ProofFactory(validators);
        var offer = new Offer
        {
            Maker = ByteString.CopyFrom(factory.Seller.Address.Bytes), Meter = "MTR-S", Sell = true, IntervalStart = 1_800_000_000, IntervalCount = 2,
            WhPerInterval = 4000, PricePerKwh = 150_000, Nonce = 3, ValidUntil = 1_799_999_000,
        };
        var offerId = LedgerTypedData.Digest(offer, TestValidators.LedgerChainId);
        var take = new Take { OfferId = ByteString.CopyFrom(offerId.Bytes), Taker = ByteString.CopyFrom(factory.Buyer.Address.Bytes), Meter = "MTR-B", WhPerInterval = 1000, Nonce = 4, ValidUntil = 1_799_999_000 };
        var proof = factory.Build(ProofFactory.Envelope(take, factory.Buyer), LedgerTypedData.Digest(take, TestValidators.LedgerChainId),
            offer: ProofFactory.Envelope(offer, factory.Seller));
        var verdict = ProofVerifier.Verify(proof);
        Assert.True(verdict.Holds, verdict.Message);
        Assert.Contains(verdict.Facts, f => f.Contains($"seller {factory.Seller.Address}, buyer {factory.Buyer.Address}"));
        Assert.Contains(verdict.Facts, f => f.Contains("1000 Wh in each of 2 interval(s)"));
        proof.Transactions.RemoveAt(1);
        Assert.Equal(ProofReasons.Malformed, ProofVerifier.Verify(proof).Code);
    }

    [Fact]
    public void ProofForAnotherChain_IsWrongChain()
    {
        var (proof, _) = new ProofFactory(new TestValidators("chain", 4)).Contract();
        proof.ChainId = 7;
        Assert.Equal(ProofReasons.WrongChain, ProofVerifier.Verify(proof).Code);
    }
}
