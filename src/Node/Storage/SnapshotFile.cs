using System.Buffers.Binary;
using System.Text;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// The state at a snapshot height as one file (D/snapshots/&lt;H&gt;.state, and inside a snapshot export): a header —
/// "P2PESNAP", format version, height, app hash of block H, StateRoot(H), entry count — then every entry in key order as
/// len(key) ‖ key ‖ len(value) ‖ value (u32 big-endian lengths, key UTF-8), the bytes StateRoot's leaves hash.
/// </summary>
public static class SnapshotFile
{
    private static readonly byte[] Magic = "P2PESNAP"u8.ToArray();
    private const uint Version = 1;
    private const int HeaderBytes = 8 + 4 + 8 + 32 + 32 + 8;

    /// <summary>What a snapshot file's header says.</summary>
    public sealed record Header(ulong Height, Hash32 AppHash, Hash32 StateRoot, ulong Entries);

    /// <summary>Writes <paramref name="entries"/> (in key order) to a new <paramref name="path"/>, via a temp file renamed at the end; returns the header.</summary>
    public static Header Write(string path, ulong height, Hash32 appHash, IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        var temp = path + ".partial";
        var root = new StateRoot();
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                file.Write(new byte[HeaderBytes]);
                Span<byte> length = stackalloc byte[4];
                foreach (var (key, value) in entries)
                {
                    root.Add(key, value);
                    var keyBytes = Encoding.UTF8.GetBytes(key);
                    BinaryPrimitives.WriteUInt32BigEndian(length, (uint)keyBytes.Length);
                    file.Write(length);
                    file.Write(keyBytes);
                    BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
                    file.Write(length);
                    file.Write(value);
                }
                var header = new Header(height, appHash, root.Root(), (ulong)root.Count);
                file.Position = 0;
                file.Write(Encode(header));
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            return Read(path).Header;
        }
        finally { File.Delete(temp); }
    }

    /// <summary>The header and a lazy reader of the entries (each read checks the file's shape; a short file throws).</summary>
    public static (Header Header, IEnumerable<KeyValuePair<string, byte[]>> Entries) Read(string path)
    {
        Header header;
        using (var file = File.OpenRead(path)) header = Decode(path, file);
        return (header, ReadEntries(path, header));
    }

    private static IEnumerable<KeyValuePair<string, byte[]>> ReadEntries(string path, Header header)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        file.Position = HeaderBytes;
        var length = new byte[4];
        for (ulong i = 0; i < header.Entries; i++)
        {
            var key = Encoding.UTF8.GetString(Chunk(file, (int)ReadLength(file, length, path), path));
            var value = Chunk(file, (int)ReadLength(file, length, path), path);
            yield return KeyValuePair.Create(key, value);
        }
        if (file.Position != file.Length) throw new InvalidDataException($"{path} has {file.Length - file.Position} bytes after its {header.Entries} entries");
    }

    private static uint ReadLength(Stream file, byte[] buffer, string path)
    {
        file.ReadExactly(buffer);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        return length <= 64 << 20 ? length : throw new InvalidDataException($"{path}: an entry of {length} bytes is not a ledger state entry");
    }

    private static byte[] Chunk(Stream file, int length, string path)
    {
        var bytes = new byte[length];
        try { file.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{path} ends inside an entry"); }
        return bytes;
    }

    private static byte[] Encode(Header header)
    {
        var bytes = new byte[HeaderBytes];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(12), header.Height);
        header.AppHash.Bytes.CopyTo(bytes.AsSpan(20));
        header.StateRoot.Bytes.CopyTo(bytes.AsSpan(52));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(84), header.Entries);
        return bytes;
    }

    private static Header Decode(string path, Stream file)
    {
        var bytes = new byte[HeaderBytes];
        try { file.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{path} is too short to be a state snapshot"); }
        if (!bytes.AsSpan(0, 8).SequenceEqual(Magic)) throw new InvalidDataException($"{path} is not a state snapshot (no P2PESNAP header)");
        uint version = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
        if (version != Version) throw new InvalidDataException($"{path} has snapshot format {version}; this node reads {Version}");
        return new Header(BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(12)), Hash32.FromBytes(bytes.AsSpan(20, 32)),
            Hash32.FromBytes(bytes.AsSpan(52, 32)), BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(84)));
    }
}
