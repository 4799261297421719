using Google.Protobuf;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Anchor.Proofs;

/// <summary>Reads a transaction envelope of a proof: its body as the EIP-712 struct the signers signed.</summary>
public static class ProofTransaction
{
    public static bool TryBody(ByteString bytes, out IMessage? body)
    {
        body = null;
        try { body = Body(Transaction.Parser.ParseFrom(bytes)); }
        catch (InvalidProtocolBufferException) { return false; }
        return body is not null;
    }

    /// <summary>The body of the envelope kinds a contract proof holds (EnergyContract, Take, Offer); null for others.</summary>
    public static IMessage? Body(Transaction envelope) => envelope.BodyCase switch
    {
        Transaction.BodyOneofCase.EnergyContract => envelope.EnergyContract,
        Transaction.BodyOneofCase.Take => envelope.Take,
        Transaction.BodyOneofCase.Offer => envelope.Offer,
        _ => null,
    };
}
