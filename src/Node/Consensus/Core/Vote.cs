using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// A prevote or precommit: ⟨PREVOTE|PRECOMMIT, h, r, id(v)⟩ of the paper, from <paramref name="Validator"/>.
/// <paramref name="Value"/> is the block hash voted for; <see cref="Nil"/> (the zero hash, as the wire carries it) is nil.
/// </summary>
public sealed record Vote(ulong Height, int Round, VoteType Type, Hash32 Value, Address Validator)
{
    /// <summary>The nil value: a vote for no block.</summary>
    public static Hash32 Nil => Hash32.Zero;

    public bool IsNil => Value == Nil;

    public override string ToString()
        => $"{(Type == VoteType.Prevote ? "prevote" : "precommit")} {Height}/{Round} {(IsNil ? "nil" : Value.ToString()[..10])} by {Validator.ToString()[..8]}";
}

/// <summary>A vote with its signature. The host checked the signature; the core keeps it for commits and evidence.</summary>
public sealed record SignedVote(Vote Vote, Signature Signature);
