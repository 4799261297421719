namespace P2PEnergy.Node.Consensus.Application;

/// <summary>
/// The largest block any validator accepts. Part of valid(v), so it must be the same on every node: a block over a
/// node's own limit would get its nil prevote, and a node catching up could never accept a decided block. How much a
/// proposer reaps into its own blocks is configured per node (Node:MaxBlockTransactions), within these.
/// </summary>
public static class BlockLimits
{
    /// <summary>Most transactions in a block.</summary>
    public const int MaxTransactions = 50_000;

    /// <summary>Most bytes of transactions in a block (the consensus log frames a proposal with its block in one record).</summary>
    public const long MaxTransactionBytes = 16L * 1024 * 1024;
}
