using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>A transaction's id: keccak256 of its serialized envelope bytes as submitted and stored (DESIGN.md rule 2).</summary>
public static class TransactionId
{
    public static Hash32 Of(ReadOnlySpan<byte> envelopeBytes) => Keccak256.Hash(envelopeBytes);
}
