namespace P2PEnergy.Node.Network;

/// <summary>
/// Why a peer connection was refused or closed, with a stable code (<see cref="PeerRefusal"/> constants) for logs and
/// metrics; the message names the value at fault and what was expected.
/// </summary>
public sealed class PeerRefusal(string code, string message) : Exception(message)
{
    public const string WrongChain = "PEER_WRONG_CHAIN";
    public const string WrongGenesis = "PEER_WRONG_GENESIS";
    public const string WrongProtocol = "PEER_WRONG_PROTOCOL";
    public const string UnknownKey = "PEER_UNKNOWN_KEY";
    public const string ReplayedChallenge = "PEER_REPLAYED_CHALLENGE";
    public const string BadSignature = "PEER_BAD_SIGNATURE";
    public const string Malformed = "PEER_MALFORMED";
    public const string Self = "PEER_SELF";
    public const string Duplicate = "PEER_DUPLICATE";
    public const string TooManyPeers = "PEER_TOO_MANY";
    public const string Oversized = "PEER_OVERSIZED";
    public const string RateExceeded = "PEER_RATE_EXCEEDED";
    public const string HandshakeTimeout = "PEER_HANDSHAKE_TIMEOUT";

    public string Code { get; } = code;

    /// <summary>The node the refused peer said it was, when its hello got that far.</summary>
    public P2PEnergy.Contracts.Crypto.Address? Node { get; set; }
}
