using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// The peer handshake (issue 15 "Mutual authentication"): each side proves its node key by signing the other's fresh
/// challenge; validators are accepted by a binding from a key of the set in force, observers by their configured node
/// address; an unknown key, a replayed challenge, another chain or genesis and a bad signature are refused with their codes.
/// </summary>
public sealed class PeerHandshakeTests
{
    private const ulong Chain = 4242;
    private static readonly Hash32 Genesis = Keccak256.Hash("genesis"u8);
    private readonly PrivateKey _validatorA = LedgerHarness.Key(60), _validatorB = LedgerHarness.Key(61), _outsider = LedgerHarness.Key(70);
    private readonly PrivateKey _nodeA = LedgerHarness.Key(80), _nodeB = LedgerHarness.Key(81), _nodeObserver = LedgerHarness.Key(82);

    private PeerHandshake Side(PrivateKey node, PrivateKey? validator, ulong chain = Chain, Hash32? genesis = null, params Address[] observers)
    {
        var set = new HashSet<Address> { _validatorA.Address, _validatorB.Address };
        return new PeerHandshake(chain, genesis ?? Genesis, node, validator, set.Contains, observers);
    }

    // Both directions of one connection: hellos crossed, proofs made and checked; the identities each side learns.
    private static (PeerIdentity SeenByA, PeerIdentity SeenByB) Connect(PeerHandshake a, PeerHandshake b)
    {
        var helloA = a.Hello(height: 7);
        var helloB = b.Hello(height: 9);
        var bSeenByA = a.Accept(helloB);
        var aSeenByB = b.Accept(helloA);
        b.Verify(a.Prove(helloB, bSeenByA), helloB, aSeenByB);
        a.Verify(b.Prove(helloA, aSeenByB), helloA, bSeenByA);
        return (bSeenByA, aSeenByB);
    }

    [Fact]
    public void TwoValidators_ProveTheirNodeKeys_AndLearnWhichValidatorTheOtherRuns()
    {
        var (seenByA, seenByB) = Connect(Side(_nodeA, _validatorA), Side(_nodeB, _validatorB));
        Assert.Equal(new PeerIdentity(_nodeB.Address, _validatorB.Address), seenByA);
        Assert.Equal(new PeerIdentity(_nodeA.Address, _validatorA.Address), seenByB);
        Assert.Equal(_validatorB.Address, seenByA.ConsensusAddress);
    }

    [Fact]
    public void AConfiguredObserver_IsAccepted_WithoutABinding()
    {
        var (seenByValidator, _) = Connect(Side(_nodeA, _validatorA, observers: _nodeObserver.Address), Side(_nodeObserver, null, observers: _nodeA.Address));
        Assert.Equal(new PeerIdentity(_nodeObserver.Address, null), seenByValidator);
        Assert.Equal(_nodeObserver.Address, seenByValidator.ConsensusAddress);
    }

    [Fact]
    public void ANodeNeitherBoundToAValidatorOfTheSetNorAConfiguredObserver_IsRefusedAsUnknownKey()
    {
        var validator = Side(_nodeA, _validatorA);
        var stranger = Side(_nodeB, _outsider).Hello(0);
        var observerNotListed = Side(_nodeObserver, null).Hello(0);
        Assert.Equal(PeerRefusal.UnknownKey, Assert.Throws<PeerRefusal>(() => validator.Accept(stranger)).Code);
        var refusal = Assert.Throws<PeerRefusal>(() => validator.Accept(observerNotListed));
        Assert.Equal(PeerRefusal.UnknownKey, refusal.Code);
        Assert.Contains(_nodeObserver.Address.ToString(), refusal.Message);
    }

    [Fact]
    public void AHelloWhoseChallengeWasSeenBefore_IsRefusedAsReplayed_AndSoIsOneEchoingThisNodesOwnChallenge()
    {
        var a = Side(_nodeA, _validatorA);
        var hello = Side(_nodeB, _validatorB).Hello(0);
        a.Accept(hello);
        Assert.Equal(PeerRefusal.ReplayedChallenge, Assert.Throws<PeerRefusal>(() => a.Accept(hello)).Code);
        var mine = a.Hello(0);
        var echo = Side(_nodeB, _validatorB).Hello(0);
        echo.Challenge = mine.Challenge;
        Assert.Equal(PeerRefusal.ReplayedChallenge, Assert.Throws<PeerRefusal>(() => a.Accept(echo)).Code);
    }

    [Fact]
    public void AProofFromAnEarlierConnection_DoesNotAuthenticateANewOne()
    {
        var a = Side(_nodeA, _validatorA);
        var b = Side(_nodeB, _validatorB);
        var firstHelloA = a.Hello(0);
        var helloB = b.Hello(0);
        var bSeenByA = a.Accept(helloB);
        var oldProof = b.Prove(firstHelloA, b.Accept(firstHelloA));
        a.Verify(oldProof, firstHelloA, bSeenByA);
        // A new connection: a's new challenge; the recorded proof signed the old one.
        var secondHelloA = a.Hello(0);
        Assert.Equal(PeerRefusal.BadSignature, Assert.Throws<PeerRefusal>(() => a.Verify(oldProof, secondHelloA, bSeenByA)).Code);
    }

    [Fact]
    public void AnotherChainOrGenesis_OrAnotherProtocol_IsRefusedWithItsCode()
    {
        var a = Side(_nodeA, _validatorA);
        var otherChain = Assert.Throws<PeerRefusal>(() => a.Accept(Side(_nodeB, _validatorB, chain: 7).Hello(0)));
        Assert.Equal((PeerRefusal.WrongChain, "the peer is on chain 7, this node on chain 4242"), (otherChain.Code, otherChain.Message));
        Assert.Equal(PeerRefusal.WrongGenesis, Assert.Throws<PeerRefusal>(() => a.Accept(Side(_nodeB, _validatorB, genesis: Keccak256.Hash("other"u8)).Hello(0))).Code);
        var future = Side(_nodeB, _validatorB).Hello(0);
        future.ProtocolVersion = 2;
        Assert.Equal(PeerRefusal.WrongProtocol, Assert.Throws<PeerRefusal>(() => a.Accept(future)).Code);
    }

    [Fact]
    public void ABindingNotSignedByTheValidatorItNames_OrAProofByAnotherKey_IsABadSignature()
    {
        var a = Side(_nodeA, _validatorA);
        // Node B claims validator A's power with a binding its own outsider key signed.
        var forged = Side(_nodeB, _outsider).Hello(0);
        forged.Binding.Validator = ByteString.CopyFrom(_validatorB.Address.Bytes);
        Assert.Equal(PeerRefusal.BadSignature, Assert.Throws<PeerRefusal>(() => a.Accept(forged)).Code);
        // A binding lifted from node B onto another node key no longer recovers to the validator.
        var lifted = Side(_nodeObserver, null).Hello(0);
        lifted.Binding = Side(_nodeB, _validatorB).Hello(0).Binding;
        Assert.Equal(PeerRefusal.BadSignature, Assert.Throws<PeerRefusal>(() => a.Accept(lifted)).Code);
        // The proof for node B's hello signed by another node key.
        var mine = a.Hello(0);
        var helloB = Side(_nodeB, _validatorB).Hello(0);
        var identity = a.Accept(helloB);
        var impostor = Side(_nodeObserver, _validatorB);
        var proof = impostor.Prove(mine, new PeerIdentity(_nodeA.Address, _validatorA.Address));
        Assert.Equal(PeerRefusal.BadSignature, Assert.Throws<PeerRefusal>(() => a.Verify(proof, mine, identity)).Code);
        Assert.Equal(PeerRefusal.BadSignature, Assert.Throws<PeerRefusal>(() => a.Verify(new PeerProof { Signature = ByteString.CopyFrom(new byte[65]) }, mine, identity)).Code);
    }

    [Fact]
    public void AHelloFromThisNodesOwnKey_IsRefusedAsSelf()
    {
        var a = Side(_nodeA, _validatorA);
        Assert.Equal(PeerRefusal.Self, Assert.Throws<PeerRefusal>(() => a.Accept(Side(_nodeA, _validatorA).Hello(0))).Code);
    }
}
