using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Sorts a block's changes on their keys' UTF-8 bytes and writes the change set's encoding from those same bytes, when
/// every key is ASCII (ledger keys are: prefixes, hex and key numbers, and meter ids in practice). For ASCII, byte
/// order is ordinal UTF-16 order, so the order — and the app hash — are exactly those of a sort of the strings.
/// </summary>
/// <remarks>
/// A block writes tens of thousands of keys of ≈ 50–90 characters that share long prefixes (one party's index entries,
/// one signer's nonces). Sorting the strings compared two UTF-16 strings scattered over the heap per step, and the
/// encoding then counted and transcoded every key twice more. Here each key is narrowed once into one buffer, the sort
/// compares the first 16 bytes as two integers held in the entry (which settles most comparisons without touching
/// the buffer) and the rest with a vectorised byte compare, and the encoding copies the narrowed bytes. A non-ASCII
/// key (UTF-8 byte order and UTF-16 ordinal order differ above U+D7FF) sends the whole block to the string sort.
/// </remarks>
internal static class AsciiKeySort
{
    /// <summary>The changes in ordinal key order with their encoding, or null when a key is not ASCII (then nothing was changed).</summary>
    public static SortedChangeSet? TrySort(StateChange[] changes)
    {
        long chars = 0;
        foreach (var change in changes) chars += change.Key.Length;
        if (chars > Array.MaxLength) return null;
        var keyBytes = ArrayPool<byte>.Shared.Rent(Math.Max((int)chars, 1));
        var entries = ArrayPool<Entry>.Shared.Rent(Math.Max(changes.Length, 1));
        try
        {
            int at = 0;
            long encodedLength = 0;
            for (int i = 0; i < changes.Length; i++)
            {
                var key = changes[i].Key;
                if (Ascii.FromUtf16(key, keyBytes.AsSpan(at), out int written) != OperationStatus.Done) return null;
                var bytes = keyBytes.AsSpan(at, written);
                entries[i] = new Entry(Prefix(bytes), Prefix(bytes.Length > 8 ? bytes[8..] : []), at, written, i);
                at += written;
                encodedLength += 9L + written + (changes[i].Value?.Length ?? 0);
            }
            if (encodedLength > Array.MaxLength) return null;
            var order = entries.AsSpan(0, changes.Length);
            order.Sort(new ByteOrder(keyBytes));

            var sorted = new StateChange[changes.Length];
            // Every byte is written below: no need to zero a block's ≈ 4 MB first.
            var encoded = GC.AllocateUninitializedArray<byte>((int)encodedLength);
            int to = 0;
            for (int i = 0; i < order.Length; i++)
            {
                var entry = order[i];
                var change = sorted[i] = changes[entry.Index];
                BinaryPrimitives.WriteUInt32BigEndian(encoded.AsSpan(to), (uint)entry.Length);
                keyBytes.AsSpan(entry.Offset, entry.Length).CopyTo(encoded.AsSpan(to + 4));
                to += 4 + entry.Length;
                encoded[to] = change.Value is null ? (byte)0 : (byte)1;
                var value = change.Value ?? [];
                BinaryPrimitives.WriteUInt32BigEndian(encoded.AsSpan(to + 1), (uint)value.Length);
                value.CopyTo(encoded.AsSpan(to + 5));
                to += 5 + value.Length;
            }
            return new SortedChangeSet(sorted, encoded);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keyBytes);
            ArrayPool<Entry>.Shared.Return(entries);
        }
    }

    /// <summary>
    /// The first 8 bytes as a big-endian integer, zero-padded: a &lt; b as bytes implies Prefix(a) ≤ Prefix(b), so
    /// unequal prefixes decide the order and equal ones leave it to the bytes after them.
    /// </summary>
    private static ulong Prefix(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 8) return BinaryPrimitives.ReadUInt64BigEndian(bytes);
        Span<byte> padded = stackalloc byte[8];
        padded.Clear();
        bytes.CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    private readonly record struct Entry(ulong Head, ulong Next, int Offset, int Length, int Index);

    private readonly struct ByteOrder(byte[] keys) : IComparer<Entry>
    {
        public int Compare(Entry a, Entry b)
        {
            if (a.Head != b.Head) return a.Head < b.Head ? -1 : 1;
            if (a.Next != b.Next) return a.Next < b.Next ? -1 : 1;
            // The first 16 bytes (or all of the shorter key, if less) are equal: the rest decides, then the length.
            int skip = Math.Min(16, Math.Min(a.Length, b.Length));
            return keys.AsSpan(a.Offset + skip, a.Length - skip).SequenceCompareTo(keys.AsSpan(b.Offset + skip, b.Length - skip));
        }
    }
}
