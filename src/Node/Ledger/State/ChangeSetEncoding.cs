using System.Buffers.Binary;
using System.Text;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// A block's sorted state changes as one byte string, in the encoding the app hash covers (see <see cref="AppHash"/>):
/// per change len(key) ‖ key (UTF-8) ‖ flag (1 = set, 0 = delete) ‖ len(value) ‖ value, lengths u32 big-endian.
/// The store keeps each block's change set this way — one row per block instead of one per change.
/// </summary>
public static class ChangeSetEncoding
{
    public static byte[] Encode(IReadOnlyList<StateChange> changes)
    {
        // Every byte is written below: no need to zero a block's ≈ 4 MB first.
        var bytes = GC.AllocateUninitializedArray<byte>(EncodedLength(changes));
        Encode(changes, bytes);
        return bytes;
    }

    /// <summary>Bytes <see cref="Encode(IReadOnlyList{StateChange}, Span{byte})"/> writes.</summary>
    public static int EncodedLength(IReadOnlyList<StateChange> changes)
    {
        long length = 0;
        foreach (var change in changes) length += 9L + Encoding.UTF8.GetByteCount(change.Key) + (change.Value?.Length ?? 0);
        return checked((int)length);
    }

    /// <summary>Writes the encoding into the first <see cref="EncodedLength"/> bytes of <paramref name="bytes"/>.</summary>
    public static void Encode(IReadOnlyList<StateChange> changes, Span<byte> bytes)
    {
        int at = 0;
        foreach (var change in changes)
        {
            int keyLength = Encoding.UTF8.GetBytes(change.Key, bytes[(at + 4)..]);
            BinaryPrimitives.WriteUInt32BigEndian(bytes[at..], (uint)keyLength);
            at += 4 + keyLength;
            bytes[at] = change.Value is null ? (byte)0 : (byte)1;
            var value = change.Value ?? [];
            BinaryPrimitives.WriteUInt32BigEndian(bytes[(at + 1)..], (uint)value.Length);
            value.CopyTo(bytes[(at + 5)..]);
            at += 5 + value.Length;
        }
    }

    /// <summary>The changes back; bytes that are not such an encoding throw <see cref="InvalidDataException"/> naming the offset.</summary>
    public static List<StateChange> Decode(ReadOnlySpan<byte> bytes)
    {
        var changes = new List<StateChange>();
        int at = 0;
        while (at < bytes.Length)
        {
            int keyLength = Length(bytes, at, "key");
            string key = Encoding.UTF8.GetString(Slice(bytes, at + 4, keyLength, "key"));
            at += 4 + keyLength;
            if (at >= bytes.Length || bytes[at] > 1) throw new InvalidDataException($"change set: no set/delete flag (0 or 1) at byte {at} of {bytes.Length}");
            bool set = bytes[at] == 1;
            int valueLength = Length(bytes, at + 1, "value");
            var value = Slice(bytes, at + 5, valueLength, "value");
            if (!set && valueLength != 0) throw new InvalidDataException($"change set: delete of '{key}' carries {valueLength} value bytes");
            changes.Add(new StateChange(key, set ? value.ToArray() : null));
            at += 5 + valueLength;
        }
        return changes;
    }

    private static int Length(ReadOnlySpan<byte> bytes, int at, string what)
    {
        if (bytes.Length - at < 4) throw new InvalidDataException($"change set: {what} length at byte {at} runs past the end ({bytes.Length} bytes)");
        uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
        if (length > int.MaxValue) throw new InvalidDataException($"change set: {what} length {length} at byte {at} is too large");
        return (int)length;
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> bytes, int at, int length, string what)
    {
        if (at > bytes.Length || bytes.Length - at < length) throw new InvalidDataException($"change set: {what} of {length} bytes at byte {at} runs past the end ({bytes.Length} bytes)");
        return bytes.Slice(at, length);
    }
}
