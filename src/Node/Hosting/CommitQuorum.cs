using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// Whether a block was decided by the validators a node trusts: its commit names the block's header hash and carries
/// precommit signatures (EIP-712 CommitVote) of validators with more than 2/3 of the trusted power. Snapshot import
/// checks block H with it, snapshot sync every block after H.
/// </summary>
internal static class CommitQuorum
{
    /// <summary>The header hash of <paramref name="block"/> once its commit checks out; a <see cref="SnapshotRejection"/> naming why not.</summary>
    public static Hash32 Require(Block block, ulong height, ulong chainId, IReadOnlyDictionary<Address, ulong> trusted)
    {
        var header = block.Header ?? throw new SnapshotRejection(SnapshotRejection.BlockMismatch, $"block {height} has no header");
        if (header.Height != height || header.ChainId != chainId)
            throw new SnapshotRejection(SnapshotRejection.BlockMismatch, $"the block offered as height {height} of chain {chainId} is height {header.Height} of chain {header.ChainId}");
        var hash = BlockHeaderHashing.Hash(header);
        var commit = block.Commit;
        if (commit is null || commit.Height != height || !commit.BlockHash.Span.SequenceEqual(hash.Bytes))
            throw new SnapshotRejection(SnapshotRejection.NoQuorum, $"block {height} has no commit for its hash {hash}");
        var digest = LedgerTypedData.Digest(new CommitVote { Height = commit.Height, Round = commit.Round, BlockHash = commit.BlockHash, VoteType = VoteType.Precommit }, chainId);
        var signers = commit.Signatures.Select(s => Signature.TryFromBytes(s.Signature.Span, out var signature, out _) ? Signer.Recover(digest, signature!) : (Address?)null);
        RequireMoreThanTwoThirds(signers, trusted, $"block {height}'s commit");
        return hash;
    }

    /// <summary>Distinct trusted <paramref name="signers"/> (nulls and strangers ignored) must carry more than 2/3 of the trusted power.</summary>
    public static void RequireMoreThanTwoThirds(IEnumerable<Address?> signers, IReadOnlyDictionary<Address, ulong> trusted, string what)
    {
        var counted = new HashSet<Address>();
        UInt128 power = 0, total = trusted.Values.Aggregate(UInt128.Zero, (sum, p) => sum + p);
        foreach (var signer in signers)
            if (signer is { } address && trusted.TryGetValue(address, out var p) && counted.Add(address)) power += p;
        if (power * 3 <= total * 2)
            throw new SnapshotRejection(SnapshotRejection.NoQuorum,
                $"{what} carry {power} of {total} trusted voting power ({string.Join(", ", counted)}); more than 2/3 is needed");
    }
}
