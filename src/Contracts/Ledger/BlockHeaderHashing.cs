using System.Buffers.Binary;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>
/// The canonical encoding of a block header: a fixed 204-byte layout (big-endian integers, fixed-width hashes),
/// so the block hash never depends on a protobuf encoder's choices. Block hash = keccak256 of these bytes.
/// </summary>
public static class BlockHeaderHashing
{
    /// <summary>
    /// chain id 8 ‖ height 8 ‖ time 8 ‖ previous 32 ‖ tx root 32 ‖ app hash 32 ‖ proposer 20 ‖ validator set 32 ‖ next
    /// validator set 32. The next set is what lets a light client (the EVM anchor) follow a set change signed by the old set.
    /// </summary>
    public const int CanonicalLength = 8 + 8 + 8 + 32 + 32 + 32 + 20 + 32 + 32;

    /// <summary>The canonical bytes; throws <see cref="FormatException"/> when a field has the wrong width.</summary>
    public static byte[] Canonical(BlockHeader header)
    {
        var bytes = new byte[CanonicalLength];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt64BigEndian(span, header.ChainId);
        BinaryPrimitives.WriteUInt64BigEndian(span[8..], header.Height);
        BinaryPrimitives.WriteInt64BigEndian(span[16..], header.TimeMs);
        int offset = 24;
        Put(span, ref offset, header.PreviousHash.Span, 32, "previous_hash");
        Put(span, ref offset, header.TransactionsRoot.Span, 32, "transactions_root");
        Put(span, ref offset, header.AppHash.Span, 32, "app_hash");
        Put(span, ref offset, header.Proposer.Span, 20, "proposer");
        Put(span, ref offset, header.ValidatorSetHash.Span, 32, "validator_set_hash");
        Put(span, ref offset, header.NextValidatorSetHash.Span, 32, "next_validator_set_hash");
        return bytes;
    }

    /// <summary>keccak256 of the canonical bytes.</summary>
    public static Hash32 Hash(BlockHeader header) => Keccak256.Hash(Canonical(header));

    private static void Put(Span<byte> target, ref int offset, ReadOnlySpan<byte> value, int width, string field)
    {
        if (value.Length != width) throw new FormatException($"block header {field} must be {width} bytes, got {value.Length}");
        value.CopyTo(target[offset..]);
        offset += width;
    }
}
