using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// ⟨PROPOSAL, h, r, v, vr⟩ of the paper: <paramref name="Value"/> is the proposed block's hash, <paramref name="PolRound"/>
/// the proposer's validRound (−1 for a fresh block), <paramref name="Proposer"/> the address that signed it.
/// </summary>
public sealed record Proposal(ulong Height, int Round, Hash32 Value, int PolRound, Address Proposer)
{
    public override string ToString() => $"proposal {Height}/{Round} {Value.ToString()[..10]} pol {PolRound} by {Proposer.ToString()[..8]}";
}

/// <summary>A proposal with its signature, checked by the host.</summary>
public sealed record SignedProposal(Proposal Proposal, Signature Signature);
