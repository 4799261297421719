namespace P2PEnergy.Node.Network;

/// <summary>A block from a peer failed its check before commit (commit quorum, chain, app hash); nothing was committed.</summary>
public sealed class RejectedBlock(string message, Exception inner) : Exception(message, inner);
