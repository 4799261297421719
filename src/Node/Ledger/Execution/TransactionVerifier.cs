using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Execution.Handlers;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>
/// The stateless checks of DESIGN.md rule 4, shared by the mempool (at the door) and block execution: size,
/// canonical protobuf encoding, text field limits, chain id, signature form and recovery. Nothing here reads state
/// or the clock.
/// </summary>
public sealed class TransactionVerifier(ulong chainId, ISecp256k1 secp, int maxTransactionBytes = 256 * 1024)
{
    public ulong ChainId { get; } = chainId;
    public int MaxTransactionBytes { get; } = maxTransactionBytes;

    /// <summary>Verifies envelope bytes exactly as submitted (their keccak256 is the id); throws <see cref="LedgerRejection"/> with the reason.</summary>
    public VerifiedTransaction Verify(byte[] bytes)
    {
        if (bytes.Length > MaxTransactionBytes)
            throw new LedgerRejection(ReasonCodes.TooLarge, $"transaction is {bytes.Length} bytes, the limit is {MaxTransactionBytes}");
        Transaction envelope;
        try { envelope = Transaction.Parser.ParseFrom(bytes.AsSpan()); }
        catch (InvalidProtocolBufferException e)
        {
            CanonicalEncoding.RequireUnparsed(Transaction.Descriptor, bytes);
            throw new LedgerRejection(ReasonCodes.Malformed, $"transaction is not a valid protobuf envelope: {e.Message}");
        }
        // Before anything else reads a field: the C# parser keeps the last of a repeated singular field and preserves
        // unknown fields, so the parsed envelope may not be what the bytes (and so the id) say.
        CanonicalEncoding.Require(envelope, bytes);
        if (envelope.BodyCase == Transaction.BodyOneofCase.None)
            throw new LedgerRejection(ReasonCodes.Malformed, "transaction has no body");
        if (envelope.ChainId != ChainId)
            throw new LedgerRejection(ReasonCodes.WrongChain, $"transaction is signed for chain {envelope.ChainId}, this is chain {ChainId}");
        var body = Body(envelope);
        if (TextLimits.FirstOver(body) is { } over)
            throw new LedgerRejection(ReasonCodes.TooLarge, $"{body.Descriptor.Name}.{over.Field} is {over.Bytes} bytes, the limit is {over.Limit}");
        if (envelope.Attachment.Length > 0 && envelope.BodyCase != Transaction.BodyOneofCase.UpdateGridModel)
            throw new LedgerRejection(ReasonCodes.Malformed, $"{body.Descriptor.Name} carries no attachment, got {envelope.Attachment.Length} bytes");
        int required = envelope.BodyCase == Transaction.BodyOneofCase.EnergyContract ? 2 : 1;
        const int minimum = 1; // an EnergyContract may carry one signature when one aggregator signs for both parties
        if (envelope.Signatures.Count < minimum || envelope.Signatures.Count > required)
            throw new LedgerRejection(ReasonCodes.BadSignature, $"{body.Descriptor.Name} needs {(minimum == required ? $"{required}" : $"{minimum} or {required}")} signature(s), got {envelope.Signatures.Count}");

        Hash32 digest;
        try { digest = LedgerTypedData.Digest(body, ChainId); }
        catch (TypedDataException e) { throw new LedgerRejection(ReasonCodes.Malformed, $"{body.Descriptor.Name}: {e.Message}"); }

        var signers = new Address[envelope.Signatures.Count];
        for (int i = 0; i < signers.Length; i++)
        {
            if (!Signature.TryFromBytes(envelope.Signatures[i].Span, out var signature, out var error))
                throw new LedgerRejection(ReasonCodes.BadSignature, $"signature {i}: {error}");
            try { signers[i] = Signer.Recover(digest.Bytes, signature!, secp); }
            catch (SignatureFormatException e) { throw new LedgerRejection(ReasonCodes.BadSignature, $"signature {i}: {e.Message}"); }
            for (int j = 0; j < i; j++)
                if (signers[j] == signers[i]) throw new LedgerRejection(ReasonCodes.BadSignature, $"signatures {j} and {i} are by the same signer {signers[i]}");
        }
        // Evidence carries two more signatures, the offender's: recovered here too, once, as the envelope's are.
        Address? offender = envelope.BodyCase == Transaction.BodyOneofCase.Evidence ? EvidenceCheck.Offender(envelope.Evidence, ChainId, secp) : null;
        // The payload id is the EIP-712 digest the parties signed: domain-bound, so the same terms on another chain are another id.
        return new VerifiedTransaction(TransactionId.Of(bytes), bytes, envelope, body, digest, signers) { Offender = offender };
    }

    /// <summary>The time limit of bodies that carry one (unix seconds), for the mempool's early EXPIRED check.</summary>
    public static ulong? ValidUntil(IMessage body) => body switch
    {
        EnergyContract c => c.ValidUntil,
        Offer o => o.ValidUntil,
        Take t => t.ValidUntil,
        _ => null,
    };

    private static IMessage Body(Transaction envelope) => envelope.BodyCase switch
    {
        Transaction.BodyOneofCase.EnergyContract => envelope.EnergyContract,
        Transaction.BodyOneofCase.Offer => envelope.Offer,
        Transaction.BodyOneofCase.Take => envelope.Take,
        Transaction.BodyOneofCase.CancelOffer => envelope.CancelOffer,
        Transaction.BodyOneofCase.MeterReading => envelope.MeterReading,
        Transaction.BodyOneofCase.Admit => envelope.Admit,
        Transaction.BodyOneofCase.Suspend => envelope.Suspend,
        Transaction.BodyOneofCase.RegisterMeter => envelope.RegisterMeter,
        Transaction.BodyOneofCase.Delegate => envelope.Delegate,
        Transaction.BodyOneofCase.Deposit => envelope.Deposit,
        Transaction.BodyOneofCase.Withdraw => envelope.Withdraw,
        Transaction.BodyOneofCase.SetDmoFees => envelope.SetDmoFees,
        Transaction.BodyOneofCase.SetGridFees => envelope.SetGridFees,
        Transaction.BodyOneofCase.SetPolrTariff => envelope.SetPolrTariff,
        Transaction.BodyOneofCase.SetBaseline => envelope.SetBaseline,
        Transaction.BodyOneofCase.UpdateGridModel => envelope.UpdateGridModel,
        Transaction.BodyOneofCase.SetValidatorSet => envelope.SetValidatorSet,
        Transaction.BodyOneofCase.AttestStateRoot => envelope.AttestStateRoot,
        Transaction.BodyOneofCase.Evidence => envelope.Evidence,
        _ => throw new LedgerRejection(ReasonCodes.Malformed, $"unknown transaction body {envelope.BodyCase}"),
    };
}
