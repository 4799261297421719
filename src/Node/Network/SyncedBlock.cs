using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Hosting;

namespace P2PEnergy.Node.Network;

/// <summary>
/// The check of a block fetched from a peer before it is committed: its commit carries more than 2/3 of the power of the
/// validators in force at its height (<see cref="CommitQuorum"/>, as snapshot sync checks it), and the ledger
/// application's commit re-executes it on this node's state, refusing it unless it follows this node's tip and executes
/// to the app hash in its header.
/// </summary>
internal static class SyncedBlock
{
    /// <summary>Commits <paramref name="block"/> as height <c>application.Height + 1</c>; throws (nothing committed) when it fails a check.</summary>
    public static void Commit(LedgerApplication application, Block block, ulong chainId)
    {
        ulong height = application.Height + 1;
        var trusted = application.ValidatorsAt(height).Validators.ToDictionary(v => v.Address, v => (ulong)v.Power);
        CommitQuorum.Require(block, height, chainId, trusted);
        application.Commit(block);
    }
}
