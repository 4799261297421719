using System.Buffers.Binary;
using System.Text;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// appHash_h = keccak256(appHash_{h−1} ‖ keccak256(changes_h)), where changes_h is the block's writes in ordinal
/// key order, each encoded as len(key) ‖ key ‖ flag ‖ len(value) ‖ value (lengths u32 big-endian, flag 1 = set,
/// 0 = delete). Chaining makes one hash commit to the whole history of state, not just its latest values.
/// </summary>
public static class AppHash
{
    public static Hash32 Next(Hash32 previous, IReadOnlyList<StateChange> sortedChanges)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        string? last = null;
        foreach (var change in sortedChanges)
        {
            if (last is not null && string.CompareOrdinal(last, change.Key) >= 0)
                throw new ArgumentException($"state changes must be in strictly ascending key order: '{last}' before '{change.Key}'");
            last = change.Key;
            var key = Encoding.UTF8.GetBytes(change.Key);
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)key.Length);
            buffer.Write(length);
            buffer.Write(key);
            buffer.WriteByte(change.Value is null ? (byte)0 : (byte)1);
            var value = change.Value ?? [];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
            buffer.Write(length);
            buffer.Write(value);
        }
        var changesHash = Keccak256.Hash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return Keccak256.HashConcat(previous.ToArray(), changesHash.ToArray());
    }
}
