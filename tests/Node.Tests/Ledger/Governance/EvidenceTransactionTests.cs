using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Execution.Handlers;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger.Governance;

/// <summary>
/// The Evidence transaction's rules (docs/consensus.md "Evidence"): two votes one validator signed for one height, round
/// and vote type naming different blocks, reported by a validator in force, within the evidence age, by a validator in
/// force at that height, recorded once; every refusal with its stable code and a message naming the value and the limit.
/// </summary>
public sealed class EvidenceTransactionTests
{
    private static readonly PrivateKey[] Three = [LedgerHarness.Key(5), LedgerHarness.Key(51), LedgerHarness.Key(52)];

    private static LedgerHarness Chain() => new(configure: genesis =>
        genesis.Validators = Three.Select(k => new GenesisValidator { Address = k.Address.ToString(), Power = 10 }).ToList());

    private static LedgerHarness ChainAt(ulong height)
    {
        var chain = Chain();
        for (ulong h = 0; h < height; h++) chain.Block(1);
        return chain;
    }

    private static Transaction Report(Evidence evidence, PrivateKey? by = null) => LedgerHarness.Envelope(evidence, by ?? Three[0]);

    private static MisbehaviourRecord? Record(LedgerHarness chain, PrivateKey offender, ulong height, uint round, VoteType type)
        => chain.State.Get(StateKeys.Misbehaviour(height, offender.Address, round, (int)type)) is { } bytes ? MisbehaviourRecord.Parser.ParseFrom(bytes) : null;

    [Fact]
    public void TwoConflictingVotes_RecordTheOffender_WithHeightRoundTypeBlocksPowerAndReporter()
    {
        var chain = ChainAt(4);
        var report = Report(Equivocations.Of(Three[2], height: 3, round: 1, type: VoteType.Precommit, first: Equivocations.Block("x"), second: Hash32.Zero), by: Three[1]);
        var result = chain.One(report);
        Assert.Equal(ReasonCodes.Ok, result.Code);
        var record = Record(chain, Three[2], 3, 1, VoteType.Precommit)!;
        Assert.Equal((Three[2].Address, 3UL, 1U, VoteType.Precommit, "equivocation", 10UL, Three[1].Address, 5UL),
            (Address.FromBytes(record.Validator.Span), record.Height, record.Round, record.VoteType, record.Kind, record.Power, Address.FromBytes(record.ReportedBy.Span), record.CommittedAt));
        Assert.Equal(Equivocations.Block("x").Bytes.ToArray(), record.FirstBlockHash.ToByteArray());
        Assert.Equal(new byte[32], record.SecondBlockHash.ToByteArray());
        Assert.Equal(result.TransactionId, record.TransactionId);
    }

    [Fact]
    public void TheSameOffence_IsRecordedOnce_WhoeverReportsIt_InWhicheverOrder()
    {
        var chain = ChainAt(4);
        Assert.Equal(ReasonCodes.Ok, chain.One(Report(Equivocations.Of(Three[2], 3, first: Equivocations.Block("a"), second: Equivocations.Block("b")), Three[0])).Code);
        // Another reporter, the votes swapped, or a third block for the same height/round/type: the same offence.
        var again = chain.One(Report(Equivocations.Of(Three[2], 3, first: Equivocations.Block("b"), second: Equivocations.Block("c")), Three[1]));
        Assert.Equal(ReasonCodes.EvidenceDuplicate, again.Code);
        Assert.Contains("already recorded (committed at height 5)", again.Message);
        // Another round or vote type is another offence.
        Assert.Equal(ReasonCodes.Ok, chain.One(Report(Equivocations.Of(Three[2], 3, round: 1))).Code);
        Assert.Equal(ReasonCodes.Ok, chain.One(Report(Equivocations.Of(Three[2], 3, type: VoteType.Precommit))).Code);
    }

    [Fact]
    public void VotesThatDoNotConflict_AreRefused_NamingWhatDiffers()
    {
        var chain = ChainAt(4);
        var sameBlock = chain.One(Report(Equivocations.Of(Three[2], 3, first: Equivocations.Block("a"), second: Equivocations.Block("a"))));
        Assert.Equal(ReasonCodes.EvidenceNotConflicting, sameBlock.Code);
        Assert.Contains("for the same block", sameBlock.Message);

        var twoSigners = new Evidence { First = Equivocations.Vote(Three[1], 3, 0, VoteType.Prevote, Equivocations.Block("a")), Second = Equivocations.Vote(Three[2], 3, 0, VoteType.Prevote, Hash32.Zero) };
        var signers = chain.One(Report(twoSigners));
        Assert.Equal(ReasonCodes.EvidenceNotConflicting, signers.Code);
        Assert.Contains($"signed by {Three[1].Address} and the second by {Three[2].Address}", signers.Message);

        var rounds = new Evidence { First = Equivocations.Vote(Three[2], 3, 0, VoteType.Prevote, Equivocations.Block("a")), Second = Equivocations.Vote(Three[2], 3, 1, VoteType.Prevote, Hash32.Zero) };
        var differ = chain.One(Report(rounds));
        Assert.Equal(ReasonCodes.EvidenceNotConflicting, differ.Code);
        Assert.Contains("prevote 3/0 and prevote 3/1", differ.Message);
    }

    [Fact]
    public void MalformedOrBadlySignedVotes_AreRefusedAtTheDoorAndAtExecution()
    {
        var chain = ChainAt(2);
        var verifier = new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default);
        var badSignature = Equivocations.Of(Three[2], 1);
        badSignature.Second.Signature = ByteString.CopyFrom(new byte[65]);
        var noVote = Equivocations.Of(Three[2], 1);
        noVote.First = new EvidenceVote();
        var noType = Equivocations.Of(Three[2], 1);
        noType.First.Vote.VoteType = VoteType.Unspecified;
        var shortHash = Equivocations.Of(Three[2], 1);
        shortHash.First.Vote.BlockHash = ByteString.CopyFrom(new byte[31]);
        var otherChain = new Evidence { First = Equivocations.Vote(Three[2], 1, 0, VoteType.Prevote, Equivocations.Block("a"), chainId: LedgerHarness.ChainId + 1), Second = Equivocations.Vote(Three[2], 1, 0, VoteType.Prevote, Hash32.Zero) };
        foreach (var (evidence, code, text) in new[]
        {
            (badSignature, ReasonCodes.BadSignature, "Evidence.second.signature"),
            // A missing nested struct has no EIP-712 encoding: refused before any signature is checked (it once threw).
            (noVote, ReasonCodes.Malformed, "vote"),
            (noType, ReasonCodes.Malformed, "voteType must be PREVOTE (1) or PRECOMMIT (2), got 0"),
            (shortHash, ReasonCodes.Malformed, "blockHash: must be 32 bytes, got 31"),
            // Signed on another chain's domain, the first vote recovers to some other address.
            (otherChain, ReasonCodes.EvidenceNotConflicting, "evidence needs two votes of one validator"),
        })
        {
            // Evidence without a vote or with a short hash has no digest to sign: its envelope carries some 65 bytes instead.
            var envelope = evidence == noVote || evidence == shortHash ? new Transaction { Evidence = evidence, ChainId = LedgerHarness.ChainId, Signatures = { ByteString.CopyFrom(new byte[65]) } } : Report(evidence);
            var bytes = envelope.ToByteArray();
            var door = Assert.Throws<LedgerRejection>(() => verifier.Verify(bytes));
            Assert.Equal(code, door.Code);
            Assert.Contains(text, door.Message);
            var executed = chain.One(envelope);
            Assert.Equal((code, door.Message), (executed.Code, executed.Message));
        }
    }

    [Fact]
    public void EvidenceOutsideTheAgeLimit_OrAfterTheBlock_IsRefused_NamingBothHeights()
    {
        var chain = ChainAt(2);
        var future = chain.One(Report(Equivocations.Of(Three[2], 9)));
        Assert.Equal(ReasonCodes.EvidenceOutOfRange, future.Code);
        Assert.Equal("evidence height 9 is after this block's height 3", future.Message);

        // A block far ahead (executed, not adopted): the same evidence is too old there, by exactly one block past the limit.
        ulong height = 1 + EquivocationEvidence.MaxAgeBlocks + 1;
        var bytes = Report(Equivocations.Of(Three[2], 1)).ToByteArray();
        var old = chain.Executor.Execute(chain.State, chain.AppHash, height, chain.TimeMs + 1000, [(bytes, null)]).Results[0];
        Assert.Equal(ReasonCodes.EvidenceOutOfRange, old.Code);
        Assert.Equal($"evidence height 1 is {EquivocationEvidence.MaxAgeBlocks + 1} blocks before this block's height {height}; the limit is {EquivocationEvidence.MaxAgeBlocks}", old.Message);
        var atLimit = chain.Executor.Execute(chain.State, chain.AppHash, height - 1, chain.TimeMs + 1000, [(bytes, null)]).Results[0];
        Assert.Equal(ReasonCodes.Ok, atLimit.Code);
    }

    [Fact]
    public void OnlyValidatorsReport_AndOnlyValidatorsInForceAtTheHeightCanOffend()
    {
        var chain = ChainAt(2);
        var stranger = chain.One(Report(Equivocations.Of(Three[2], 1), by: chain.Stranger));
        Assert.Equal(ReasonCodes.Unauthorized, stranger.Code);
        Assert.Contains($"signed by {chain.Stranger.Address}, who is not a validator in force at height 3", stranger.Message);
        var outsider = LedgerHarness.Key(77);
        var notValidator = chain.One(Report(Equivocations.Of(outsider, 1)));
        Assert.Equal(ReasonCodes.EvidenceNotAValidator, notValidator.Code);
        Assert.Equal($"{outsider.Address} was not a validator in force at height 1", notValidator.Message);

        // The set changes at H + 2: Three[2] leaves. Its offences before still count, those after are no validator's.
        var set = new SetValidatorSet { Nonce = 1 };
        set.Validators.AddRange(Three.Take(2).Select(k => new ValidatorEntry { Validator = ByteString.CopyFrom(k.Address.Bytes), Power = 10 }));
        Assert.Equal(ReasonCodes.Ok, chain.One(LedgerHarness.Envelope(set, chain.Utility)).Code); // block 5: in force from 7
        chain.Block(1);
        chain.Block(1);
        chain.Block(1); // height 8
        Assert.Equal(ReasonCodes.Ok, chain.One(Report(Equivocations.Of(Three[2], 6))).Code);
        Assert.Equal(ReasonCodes.EvidenceNotAValidator, chain.One(Report(Equivocations.Of(Three[2], 7))).Code);
        // And a validator that left reports no more.
        Assert.Equal(ReasonCodes.Unauthorized, chain.One(Report(Equivocations.Of(Three[1], 6, round: 2), by: Three[2])).Code);
    }
}
