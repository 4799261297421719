using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Network;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The check of a block fetched from a peer before it is committed (block sync): its commit carries more than 2/3 of the
/// power of the validators in force at its height (<see cref="CommitQuorum"/>, as snapshot sync checks it), it follows
/// this node's tip, and it re-executes on this node's state to the app hash in its header. A node imported from a
/// snapshot at H checks block H + 1 against the imported tip and the validators its imported state records.
/// </summary>
internal static class SyncedBlock
{
    /// <summary>
    /// Commits <paramref name="block"/> as height <c>application.Height + 1</c>; throws <see cref="RejectedBlock"/> (nothing
    /// committed) when it fails a check, its message starting with the <see cref="SnapshotRejection"/> code.
    /// </summary>
    public static void Commit(LedgerApplication application, Block block, ulong chainId)
    {
        ulong height = application.Height + 1;
        var trusted = application.ValidatorsAt(height).Validators.ToDictionary(v => v.Address, v => (ulong)v.Power);
        try
        {
            CommitQuorum.Require(block, height, chainId, trusted);
            // Executed here first, so a block that does not belong gets its own code; the commit reuses this execution.
            var verdict = application.Execute(block);
            if (!verdict.Valid)
                throw verdict.AppHash == Hash32.Zero
                    ? new SnapshotRejection(SnapshotRejection.BlockMismatch, $"it does not follow this node's tip at height {height - 1}: {verdict.Reason}")
                    : new SnapshotRejection(SnapshotRejection.AppHashMismatch, verdict.Reason);
            application.Commit(block);
        }
        catch (Exception e) when (e is SnapshotRejection or InvalidOperationException or FormatException)
        {
            throw new RejectedBlock($"block {height}: {e.Message}", e);
        }
    }
}
