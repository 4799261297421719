namespace P2PEnergy.Node.Consensus;

/// <summary>
/// A wait for blocks or dispatch instructions ended because the node is stopping; the API answers it as UNAVAILABLE
/// ("the node is shutting down"), so clients reconnect to a node that runs.
/// </summary>
public sealed class FeedClosedException() : Exception("the node is shutting down");
