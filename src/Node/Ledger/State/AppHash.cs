using System.Buffers;
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
        // Streamed into the digest: a settlement block writes ~100 MB of changes, and buffering them first cost
        // more in MemoryStream growth and copies than the keccak itself.
        var digest = new Keccak256.Sponge();
        var header = new byte[5];
        byte[] key = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            string? last = null;
            foreach (var change in sortedChanges)
            {
                if (last is not null && string.CompareOrdinal(last, change.Key) >= 0)
                    throw new ArgumentException($"state changes must be in strictly ascending key order: '{last}' before '{change.Key}'");
                last = change.Key;
                int keyLength = Encoding.UTF8.GetByteCount(change.Key);
                if (keyLength > key.Length)
                {
                    ArrayPool<byte>.Shared.Return(key);
                    key = ArrayPool<byte>.Shared.Rent(keyLength);
                }
                Encoding.UTF8.GetBytes(change.Key, key);
                BinaryPrimitives.WriteUInt32BigEndian(header, (uint)keyLength);
                digest.Update(header.AsSpan(0, 4));
                digest.Update(key.AsSpan(0, keyLength));
                var value = change.Value ?? [];
                header[0] = change.Value is null ? (byte)0 : (byte)1;
                BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)value.Length);
                digest.Update(header.AsSpan(0, 5));
                digest.Update(value);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(key); }
        var changesHash = new byte[32];
        digest.Final(changesHash);
        return Keccak256.HashConcat(previous.ToArray(), changesHash);
    }
}
