using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Ledger.Kernel;

/// <summary>A transaction whose envelope parsed and whose signatures recovered: who signed which payload.</summary>
public sealed record VerifiedTransaction(Hash32 Id, byte[] Bytes, Transaction Envelope, IMessage Body, Hash32 PayloadId, IReadOnlyList<Address> Signers)
{
    /// <summary>An Evidence's offender: the validator both its votes recover to (<c>EvidenceCheck</c>); null for other kinds.</summary>
    public Address? Offender { get; init; }

    /// <summary>The EIP-712 struct name of the body (EnergyContract, Admit, ...).</summary>
    public string Kind => Body.Descriptor.Name;
}
