using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Anchor.Tests.Support;

/// <summary>
/// Validator keys derived from a label (keccak of label ‖ index, so a test's keys are the same on every run) and the blocks
/// they sign: headers in the ledger's canonical layout and commits of EIP-712 CommitVote precommits, as validators make them.
/// </summary>
public sealed class TestValidators
{
    public const ulong LedgerChainId = 31337;

    public TestValidators(string label, int count, Func<int, long>? power = null)
    {
        Keys = Enumerable.Range(0, count)
            .Select(i => new PrivateKey(Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes($"{label}/{i}")).Bytes))
            .OrderBy(k => k.Address).ToList();
        Powers = Keys.Select((_, i) => power?.Invoke(i) ?? 10L).ToList();
    }

    /// <summary>The keys in address order.</summary>
    public IReadOnlyList<PrivateKey> Keys { get; }

    public IReadOnlyList<long> Powers { get; }

    public IReadOnlyList<(Address Address, long Power)> Set => Keys.Select((k, i) => (k.Address, Powers[i])).ToList();

    public Hash32 SetHash => ValidatorSetHashing.Of(Set);

    /// <summary>A header at <paramref name="height"/> signed by this set, committing to <paramref name="next"/> (default: this set again).</summary>
    public BlockHeader Header(ulong height, Hash32? previous = null, Hash32? transactionsRoot = null, Hash32? next = null, ulong chainId = LedgerChainId) => new()
    {
        ChainId = chainId, Height = height, TimeMs = 1_800_000_000_000 + (long)height * 1000,
        PreviousHash = ByteString.CopyFrom((previous ?? Hash32.Zero).Bytes),
        TransactionsRoot = ByteString.CopyFrom((transactionsRoot ?? MerkleRoot.Empty).Bytes),
        AppHash = ByteString.CopyFrom(Keccak256.Hash(BitConverter.GetBytes(height)).Bytes),
        Proposer = ByteString.CopyFrom(Keys[(int)(height % (ulong)Keys.Count)].Address.Bytes),
        ValidatorSetHash = ByteString.CopyFrom(SetHash.Bytes),
        NextValidatorSetHash = ByteString.CopyFrom((next ?? SetHash).Bytes),
    };

    /// <summary>The header with a commit of the precommits of the validators at <paramref name="signers"/> (indexes into <see cref="Keys"/>).</summary>
    public Block Commit(BlockHeader header, IEnumerable<int> signers, uint round = 0, ulong? signingChainId = null)
    {
        var hash = BlockHeaderHashing.Hash(header);
        var vote = new CommitVote { Height = header.Height, Round = round, BlockHash = ByteString.CopyFrom(hash.Bytes), VoteType = VoteType.Precommit };
        var digest = LedgerTypedData.Digest(vote, signingChainId ?? header.ChainId);
        var commit = new BlockCommit { Height = header.Height, Round = round, BlockHash = vote.BlockHash };
        foreach (var i in signers.OrderBy(i => Keys[i].Address))
            commit.Signatures.Add(new CommitSignature { Validator = ByteString.CopyFrom(Keys[i].Address.Bytes), Signature = ByteString.CopyFrom(Keys[i].Sign(digest).Bytes) });
        return new Block { Header = header, Commit = commit };
    }

    public Block CommitByAll(BlockHeader header, uint round = 0) => Commit(header, Enumerable.Range(0, Keys.Count), round);
}
