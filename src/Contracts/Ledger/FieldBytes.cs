using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>
/// The one reading of a proto <c>bytes</c> field as a 20-byte address or a 32-byte hash, with the one wording of a
/// wrong size ("maker must be a 20-byte address, got 3 bytes"). Each caller turns the wording into its own refusal:
/// a ledger result (MALFORMED) or an API refusal (INVALID_FIELD).
/// </summary>
public static class FieldBytes
{
    /// <summary>The address in <paramref name="value"/>, or <paramref name="refuse"/>'s exception naming <paramref name="field"/>.</summary>
    public static Address Address(ByteString value, string field, Func<string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length == 20 ? Crypto.Address.FromBytes(value.Span)
            : throw refuse($"{field} must be a 20-byte address, got {value.Length} bytes");
    }

    /// <summary>The 32-byte hash (an id, a digest) in <paramref name="value"/>, or <paramref name="refuse"/>'s exception.</summary>
    public static Hash32 Hash(ByteString value, string field, Func<string, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length == 32 ? Hash32.FromBytes(value.Span) : throw refuse($"{field} must be 32 bytes, got {value.Length}");
    }
}
