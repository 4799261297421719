using System.Buffers.Binary;

namespace P2PEnergy.Node.Consensus.Wal;

/// <summary>
/// The byte layout of a log file: an 8-byte magic "P2PE-WAL", a 4-byte little-endian version, then records, each a
/// 4-byte length, the 4-byte CRC-32C of the payload and the payload. Reading tells a torn tail (a write cut short by a
/// crash: nothing valid follows the damage, so it is cut off with a warning) from a damaged middle (valid records follow
/// the damage: refuse to start).
/// </summary>
public static class WalFrames
{
    public static ReadOnlySpan<byte> Magic => "P2PE-WAL"u8;
    public const uint Version = 1;
    public const int HeaderLength = 12;
    public const int FrameOverhead = 8;
    /// <summary>Largest payload: a 16 MiB block and its proposal with room to spare.</summary>
    public const int MaxPayload = 64 * 1024 * 1024;
    // A record payload is a protobuf WalRecord with one entry set: never shorter than this. Zero-filled tails therefore
    // never pass for records (a zero-length frame would have CRC 0 and match eight zero bytes).
    private const int MinPayload = 2;

    public static byte[] Header()
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        return header;
    }

    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        if (payload.Length is < MinPayload or > MaxPayload) throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"a WAL record holds {MinPayload}..{MaxPayload} bytes");
        var frame = new byte[FrameOverhead + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32C.Compute(payload));
        payload.CopyTo(frame.AsSpan(FrameOverhead));
        return frame;
    }

    /// <summary>
    /// The records of <paramref name="file"/>'s content, and where the valid part ends (the file length unless the tail
    /// is torn). Throws <see cref="WalException"/> for a wrong magic or version or a damaged middle.
    /// </summary>
    public static (IReadOnlyList<ReadOnlyMemory<byte>> Records, long ValidLength) Read(string file, byte[] content)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        if (TornHeader(content))
        {
            // Created, then crashed before the header was synced: a prefix of it, then the zeros of an unwritten block.
            // Nothing was ever logged after it.
            return (records, 0);
        }
        if (content.Length < HeaderLength || !content.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new WalException(file, 0, $"the file starts with {Convert.ToHexStringLower(content.AsSpan(0, Math.Min(content.Length, Magic.Length)))}, not the P2PE-WAL magic: it is not a consensus log");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(8));
        if (version != Version) throw new WalException(file, 8, $"log format version {version}; this node reads version {Version}");
        long offset = HeaderLength;
        while (offset < content.Length)
        {
            if (TryFrame(content, offset, out int length))
            {
                records.Add(content.AsMemory((int)offset + FrameOverhead, length));
                offset += FrameOverhead + length;
                continue;
            }
            long next = NextValidFrame(content, offset + 1);
            if (next >= 0)
                throw new WalException(file, offset, $"record damaged (bad length or checksum) but a valid record follows at offset {next}: the middle of the log is corrupt");
            return (records, offset);
        }
        return (records, offset);
    }

    private static bool TornHeader(byte[] content)
    {
        var header = Header();
        int common = 0;
        while (common < Math.Min(content.Length, HeaderLength) && content[common] == header[common]) common++;
        return common < HeaderLength && !content.AsSpan(common).ContainsAnyExcept((byte)0);
    }

    private static bool TryFrame(byte[] content, long offset, out int length)
    {
        length = 0;
        if (content.Length - offset < FrameOverhead) return false;
        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan((int)offset));
        if (declared is < MinPayload or > MaxPayload || declared > content.Length - offset - FrameOverhead) return false;
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan((int)offset + 4));
        if (Crc32C.Compute(content.AsSpan((int)offset + FrameOverhead, (int)declared)) != crc) return false;
        length = (int)declared;
        return true;
    }

    // A damaged length field can point anywhere, so the only safe test for "is there log after the damage" is to look
    // for a valid frame at every later offset. It runs only when damage was found.
    private static long NextValidFrame(byte[] content, long from)
    {
        for (long offset = from; offset + FrameOverhead + MinPayload <= content.Length; offset++)
            if (TryFrame(content, offset, out _)) return offset;
        return -1;
    }
}
