using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Field checks shared by handlers, and the one-signer rule of governance transactions (used by <see cref="SignerRules"/>).</summary>
internal static class Authority
{
    public static void RequireSigner(VerifiedTransaction tx, Address expected, string role)
    {
        if (tx.Signers.Count != 1 || tx.Signers[0] != expected)
            throw new LedgerRejection(ReasonCodes.Unauthorized,
                $"{tx.Kind} must be signed by the {role} {expected}, was signed by {string.Join(", ", tx.Signers)}");
    }

    public static Address Address(ByteString bytes, string field) => FieldBytes.Address(bytes, field, Malformed);

    public static Hash32 Hash(ByteString bytes, string field) => FieldBytes.Hash(bytes, field, Malformed);

    private static LedgerRejection Malformed(string message) => new(ReasonCodes.Malformed, message);

    public static void RequireMeterId(string id, string field)
    {
        if (!MeterId.IsValid(id)) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{field} '{id}' is not a valid meter id ({MeterId.Rule})");
    }
}
