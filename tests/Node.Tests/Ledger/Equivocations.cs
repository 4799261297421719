using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>Evidence bodies for tests: two votes signed by one key, as an equivocating validator signs them.</summary>
public static class Equivocations
{
    public static EvidenceVote Vote(PrivateKey signer, ulong height, uint round, VoteType type, Hash32 block, ulong chainId = LedgerHarness.ChainId)
    {
        var vote = new CommitVote { Height = height, Round = round, VoteType = type, BlockHash = ByteString.CopyFrom(block.Bytes) };
        return new EvidenceVote { Vote = vote, Signature = ByteString.CopyFrom(signer.Sign(LedgerTypedData.Digest(vote, chainId)).Bytes) };
    }

    /// <summary><paramref name="offender"/> voted <paramref name="first"/> and <paramref name="second"/> in one height, round and type.</summary>
    public static Evidence Of(PrivateKey offender, ulong height, uint round = 0, VoteType type = VoteType.Prevote, Hash32? first = null, Hash32? second = null,
        ulong chainId = LedgerHarness.ChainId)
        => new()
        {
            First = Vote(offender, height, round, type, first ?? Block("a"), chainId),
            Second = Vote(offender, height, round, type, second ?? Hash32.Zero, chainId),
        };

    /// <summary>A made-up block hash.</summary>
    public static Hash32 Block(string name) => Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(name));
}
