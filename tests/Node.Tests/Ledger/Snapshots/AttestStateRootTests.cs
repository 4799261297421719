using P2PEnergy.Contracts.Ledger;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger.Snapshots;

/// <summary>
/// The ledger's side of snapshots: block H records the validators in force; AttestStateRoot is accepted from those
/// validators only, once per validator and height (the same again is a no-op), and certifies H when more than 2/3 of
/// the power at H attested one (state root, app hash).
/// </summary>
public sealed class AttestStateRootTests
{
    private static readonly Hash32 Root = Keccak256.Hash("state"u8), App = Keccak256.Hash("app"u8), Other = Keccak256.Hash("other"u8);
    private static readonly PrivateKey[] Four = [LedgerHarness.Key(5), LedgerHarness.Key(51), LedgerHarness.Key(52), LedgerHarness.Key(53)];

    private static LedgerHarness Chain(int validators = 1) => new(configure: genesis =>
    {
        genesis.SnapshotIntervalBlocks = 10;
        genesis.Validators = Four.Take(validators).Select(k => new GenesisValidator { Address = k.Address.ToString(), Power = 10 }).ToList();
    });

    private static Transaction Attest(PrivateKey validator, ulong height, Hash32 root, Hash32 app)
        => LedgerHarness.Envelope(new AttestStateRoot { Height = height, StateRoot = ByteString.CopyFrom(root.Bytes), AppHash = ByteString.CopyFrom(app.Bytes) }, validator);

    private static void Blocks(LedgerHarness chain, int count)
    {
        for (int i = 0; i < count; i++) chain.Block(1);
    }

    private static SnapshotCertificate? Certificate(LedgerHarness chain, ulong height)
        => chain.State.Get(StateKeys.SnapshotCertificate(height)) is { } bytes ? SnapshotCertificate.Parser.ParseFrom(bytes) : null;

    [Fact]
    public void SnapshotHeight_RecordsTheValidatorsInForce_OnlyThere()
    {
        var chain = Chain(validators: 4);
        Blocks(chain, 11);
        var set = SetValidatorSet.Parser.ParseFrom(chain.State.Get(StateKeys.SnapshotValidators(10))!);
        Assert.Equal(Four.Select(k => k.Address), set.Validators.Select(v => Address.FromBytes(v.Validator.Span)));
        Assert.Null(chain.State.Get(StateKeys.SnapshotValidators(9)));
        Assert.Null(chain.State.Get(StateKeys.SnapshotValidators(11)));
    }

    [Fact]
    public void OneValidatorOfOne_CertifiesTheHeight_AndTheSameAttestationAgain_ChangesNothing()
    {
        var chain = Chain();
        Blocks(chain, 10);
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(chain.Validator, 10, Root, App)).Code);
        var certificate = Certificate(chain, 10)!;
        Assert.Equal((Root, App, 10UL, 10UL, 11UL), (Hash32.FromBytes(certificate.StateRoot.Span), Hash32.FromBytes(certificate.AppHash.Span), certificate.Power, certificate.TotalPower, certificate.CertifiedAt));
        var stateBefore = chain.State.Scan(StateKeys.SnapshotPrefix).Select(e => (e.Key, Convert.ToHexString(e.Value))).ToList();
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(chain.Validator, 10, Root, App)).Code);
        Assert.Equal(stateBefore, chain.State.Scan(StateKeys.SnapshotPrefix).Select(e => (e.Key, Convert.ToHexString(e.Value))).ToList());
    }

    [Fact]
    public void ThreeOfFourEqualValidators_Certify_TwoDoNot_AndADissentingPairNeverCounts()
    {
        var chain = Chain(validators: 4);
        Blocks(chain, 10);
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(Four[0], 10, Root, App)).Code);
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(Four[1], 10, Other, App)).Code);
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(Four[2], 10, Root, App)).Code);
        Assert.Null(Certificate(chain, 10)); // 20 of 40 for (Root, App): not more than 2/3
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(Four[3], 10, Root, App)).Code);
        Assert.Equal((30UL, 40UL), (Certificate(chain, 10)!.Power, Certificate(chain, 10)!.TotalPower));
    }

    [Fact]
    public void AValidatorChangingItsAttestation_IsAlreadyExists_NamingTheFirst()
    {
        var chain = Chain(validators: 4);
        Blocks(chain, 10);
        Assert.Equal(ReasonCodes.Ok, chain.One(Attest(Four[0], 10, Root, App)).Code);
        var changed = chain.One(Attest(Four[0], 10, Other, App));
        Assert.Equal(ReasonCodes.AlreadyExists, changed.Code);
        Assert.Contains($"already attested height 10 with state root {Root}", changed.Message);
    }

    [Theory]
    [InlineData(5UL, ReasonCodes.InvalidArgument, "height 5 is not a snapshot height (a positive multiple of 10)")]
    [InlineData(0UL, ReasonCodes.InvalidArgument, "height 0 is not a snapshot height")]
    [InlineData(20UL, ReasonCodes.InvalidArgument, "snapshot height 20 is not committed yet (this block is 11)")]
    public void AttestationOfNoCommittedSnapshotHeight_IsRefused(ulong height, string code, string message)
    {
        var chain = Chain();
        Blocks(chain, 10);
        var refused = chain.One(Attest(chain.Validator, height, Root, App));
        Assert.Equal(code, refused.Code);
        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public void AttestationByAnyoneButAValidatorAtH_IsUnauthorized()
    {
        var chain = Chain();
        Blocks(chain, 10);
        var refused = chain.One(Attest(chain.Stranger, 10, Root, App));
        Assert.Equal(ReasonCodes.Unauthorized, refused.Code);
        Assert.Contains($"signed by {chain.Stranger.Address}, who is not a validator in force at that height", refused.Message);
        Assert.Null(Certificate(chain, 10));
    }

    [Fact]
    public void ChainWithoutSnapshots_RecordsNothing_AndRefusesAttestations()
    {
        var chain = new LedgerHarness(configure: genesis => genesis.SnapshotIntervalBlocks = 0);
        Blocks(chain, 10);
        Assert.Empty(chain.State.Scan(StateKeys.SnapshotPrefix));
        var refused = chain.One(Attest(chain.Validator, 10, Root, App));
        Assert.Equal((ReasonCodes.InvalidArgument, "this chain takes no snapshots (genesis snapshotIntervalBlocks is 0)"), (refused.Code, refused.Message));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(9UL)]
    public void Genesis_SnapshotIntervalBelowTen_IsRefused(ulong interval)
    {
        var error = Assert.Throws<GenesisException>(() => new LedgerHarness(configure: genesis => genesis.SnapshotIntervalBlocks = interval));
        Assert.Contains($"snapshotIntervalBlocks must be 0 (off) or lie in [10, 100000000], got {interval}", error.Message);
    }
}
