using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>Who is at the other end of an authenticated connection: its node key, and the validator it runs (null: an observer).</summary>
public sealed record PeerIdentity(Address Node, Address? Validator)
{
    /// <summary>The address consensus knows the peer by: its validator address, else its node address.</summary>
    public Address ConsensusAddress => Validator ?? Node;

    public override string ToString() => Validator is { } v ? $"validator {v} (node {Node})" : $"observer {Node}";
}

/// <summary>
/// Mutual authentication of peer connections. Each side sends a <see cref="PeerHello"/> with a fresh 32-byte challenge and
/// proves its node key by signing the other side's challenge (<see cref="PeerProof"/>), so a proof is bound to one
/// connection and cannot be replayed on another. A validator also shows a <see cref="ValidatorBinding"/>: its validator
/// key's signature over (chain id, node address), which says which validator the node runs without giving the transport
/// that key. A peer is accepted when its binding names a validator of the set in force, or its node address is a
/// configured observer. Thread-safe.
/// </summary>
public sealed class PeerHandshake
{
    /// <summary>The peer protocol spoken here; a peer speaking another is refused (<see cref="PeerRefusal.WrongProtocol"/>).</summary>
    public const uint ProtocolVersion = 1;

    private const int ChallengeBytes = 32, RememberedChallenges = 65_536;
    private static readonly byte[] BindingDomain = Encoding.ASCII.GetBytes("p2pe-peer-binding-v1");
    private static readonly byte[] ProofDomain = Encoding.ASCII.GetBytes("p2pe-peer-proof-v1");

    private readonly ulong _chainId;
    private readonly Hash32 _genesisHash;
    private readonly PrivateKey _nodeKey;
    private readonly ValidatorBinding? _binding;
    private readonly Func<Address, bool> _isValidator;
    private readonly IReadOnlySet<Address> _observers;
    private readonly RecentSet<Hash32> _challenges = new(RememberedChallenges);

    /// <summary>
    /// The handshake of a node with <paramref name="nodeKey"/>, running <paramref name="validatorKey"/> (null: an
    /// observer); <paramref name="isValidator"/> says whether an address is in the validator set in force now.
    /// </summary>
    public PeerHandshake(ulong chainId, Hash32 genesisHash, PrivateKey nodeKey, PrivateKey? validatorKey, Func<Address, bool> isValidator, IEnumerable<Address> observers)
    {
        _chainId = chainId;
        _genesisHash = genesisHash;
        _nodeKey = nodeKey;
        _isValidator = isValidator;
        _observers = observers.ToHashSet();
        if (validatorKey is not null)
            _binding = new ValidatorBinding
            {
                Validator = ByteString.CopyFrom(validatorKey.Address.Bytes),
                Signature = ByteString.CopyFrom(validatorKey.Sign(BindingDigest(chainId, nodeKey.Address)).Bytes),
            };
    }

    /// <summary>This node's node-key address.</summary>
    public Address Node => _nodeKey.Address;

    /// <summary>The Hello that opens a connection: a fresh challenge, remembered so no peer can hand it back.</summary>
    public PeerHello Hello(ulong height)
    {
        var challenge = RandomNumberGenerator.GetBytes(ChallengeBytes);
        _challenges.Add(Hash32.FromBytes(challenge));
        var hello = new PeerHello
        {
            ChainId = _chainId, GenesisHash = ByteString.CopyFrom(_genesisHash.Bytes), Node = ByteString.CopyFrom(_nodeKey.Address.Bytes),
            Challenge = ByteString.CopyFrom(challenge), ProtocolVersion = ProtocolVersion, Height = height,
        };
        if (_binding is not null) hello.Binding = _binding;
        return hello;
    }

    /// <summary>Checks the other side's Hello; the peer it names, or a <see cref="PeerRefusal"/> saying why not.</summary>
    public PeerIdentity Accept(PeerHello theirs)
    {
        if (theirs.ProtocolVersion != ProtocolVersion)
            throw new PeerRefusal(PeerRefusal.WrongProtocol, $"the peer speaks protocol {theirs.ProtocolVersion}, this node {ProtocolVersion}");
        if (theirs.ChainId != _chainId)
            throw new PeerRefusal(PeerRefusal.WrongChain, $"the peer is on chain {theirs.ChainId}, this node on chain {_chainId}");
        if (!theirs.GenesisHash.Span.SequenceEqual(_genesisHash.Bytes))
            throw new PeerRefusal(PeerRefusal.WrongGenesis, $"the peer's genesis hash is 0x{Convert.ToHexStringLower(theirs.GenesisHash.Span)}, this node's {_genesisHash}");
        if (theirs.Node.Length != 20 || theirs.Challenge.Length != ChallengeBytes)
            throw new PeerRefusal(PeerRefusal.Malformed, $"a hello carries a 20-byte node address and a {ChallengeBytes}-byte challenge, not {theirs.Node.Length} and {theirs.Challenge.Length} bytes");
        var node = Address.FromBytes(theirs.Node.Span);
        if (node == _nodeKey.Address) throw new PeerRefusal(PeerRefusal.Self, $"the peer is this node ({node}): a peer list names this node itself");
        if (!_challenges.Add(Hash32.FromBytes(theirs.Challenge.Span)))
            throw new PeerRefusal(PeerRefusal.ReplayedChallenge, $"node {node} sent challenge 0x{Convert.ToHexStringLower(theirs.Challenge.Span)}, one already used");
        if (theirs.Binding is { } binding)
        {
            var validator = Recover(BindingDigest(_chainId, node), binding.Signature, "validator binding");
            if (binding.Validator.Length != 20 || validator != Address.FromBytes(binding.Validator.Span))
                throw new PeerRefusal(PeerRefusal.BadSignature, $"node {node}'s validator binding is signed by {validator}, not by the validator it names");
            if (_isValidator(validator)) return new PeerIdentity(node, validator);
            if (_observers.Contains(node)) return new PeerIdentity(node, null);
            throw new PeerRefusal(PeerRefusal.UnknownKey, $"node {node} runs validator {validator}, which is not in the validator set in force, and is not a configured observer (Node:Peer:Observers)");
        }
        if (_observers.Contains(node)) return new PeerIdentity(node, null);
        throw new PeerRefusal(PeerRefusal.UnknownKey, $"node {node} shows no validator binding and is not a configured observer (Node:Peer:Observers)");
    }

    /// <summary>This node's proof: its node key's signature over the other side's challenge.</summary>
    public PeerProof Prove(PeerHello theirs, PeerIdentity them)
        => new() { Signature = ByteString.CopyFrom(_nodeKey.Sign(ProofDigest(_chainId, theirs.Challenge.Span, _nodeKey.Address, them.Node)).Bytes) };

    /// <summary>Checks the other side's proof against the challenge this node sent on this connection (<paramref name="mine"/>).</summary>
    public void Verify(PeerProof proof, PeerHello mine, PeerIdentity them)
    {
        var signer = Recover(ProofDigest(_chainId, mine.Challenge.Span, them.Node, _nodeKey.Address), proof.Signature, "proof");
        if (signer != them.Node)
            throw new PeerRefusal(PeerRefusal.BadSignature, $"the proof of node {them.Node} is signed by {signer}, over another challenge or by another key");
    }

    /// <summary>keccak256("p2pe-peer-binding-v1" ‖ chain id ‖ node address): what a validator key signs to bind a node key.</summary>
    public static Hash32 BindingDigest(ulong chainId, Address node) => Keccak256.HashConcat(BindingDomain, BigEndian(chainId), node.Bytes.ToArray());

    /// <summary>keccak256("p2pe-peer-proof-v1" ‖ chain id ‖ challenge ‖ prover ‖ verifier): what a node key signs in the handshake.</summary>
    public static Hash32 ProofDigest(ulong chainId, ReadOnlySpan<byte> challenge, Address prover, Address verifier)
        => Keccak256.HashConcat(ProofDomain, BigEndian(chainId), challenge.ToArray(), prover.Bytes.ToArray(), verifier.Bytes.ToArray());

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static Address Recover(Hash32 digest, ByteString signature, string what)
    {
        if (!Signature.TryFromBytes(signature.Span, out var parsed, out var error))
            throw new PeerRefusal(PeerRefusal.BadSignature, $"the {what} signature is malformed: {error}");
        try { return Signer.Recover(digest, parsed!); }
        catch (SignatureFormatException e) { throw new PeerRefusal(PeerRefusal.BadSignature, $"no key recovers from the {what} signature: {e.Message}"); }
    }
}
