using Google.Protobuf;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Consensus.Wal;

/// <summary>
/// The consensus write-ahead log: one segment file per height (<c>wal-&lt;height&gt;.log</c>) holding every input of that
/// height in the order the state machine saw it, and every message this node signed. A new height starts a new segment
/// whose first record is the height's start; old segments are pruned, keeping the current height and the last few.
/// Appends are buffered; <see cref="Sync"/> (fsync) runs before any signed message leaves the process.
/// </summary>
public sealed class ConsensusWal : IDisposable
{
    /// <summary>Segments kept below the current height, for forensics after an incident.</summary>
    public const int KeptPastHeights = 2;
    private const string Prefix = "wal-";
    private const string Suffix = ".log";

    private readonly IWalStorage _storage;
    private readonly Action<string> _warn;
    private IWalAppender? _appender;

    /// <summary>A log in <paramref name="storage"/>; <paramref name="warn"/> receives repairs (a torn tail cut off).</summary>
    public ConsensusWal(IWalStorage storage, Action<string> warn)
    {
        _storage = storage;
        _warn = warn;
    }

    /// <summary>The height whose segment is open for appending (0 before <see cref="Begin"/> or <see cref="Continue"/>).</summary>
    public ulong Height { get; private set; }

    public static string SegmentName(ulong height) => $"{Prefix}{height:D20}{Suffix}";

    /// <summary>Heights that have a segment, ascending.</summary>
    public IReadOnlyList<ulong> Heights()
        => _storage.List().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(n => ulong.TryParse(n.AsSpan(Prefix.Length, n.Length - Prefix.Length - Suffix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var h) ? h : 0)
            .Where(h => h > 0).Order().ToList();

    /// <summary>
    /// The records of the height after <paramref name="stored"/> (the store's last block), which a restart replays. Throws
    /// <see cref="WalException"/> when the log is damaged or reaches past that height (the store lost decided blocks).
    /// </summary>
    public IReadOnlyList<WalRecord> ReadAfter(ulong stored)
    {
        var heights = Heights();
        if (heights.Count > 0 && heights[^1] > stored + 1)
            throw new WalException(SegmentName(heights[^1]), 0, $"the log reached height {heights[^1]} but the block store ends at {stored}: the store lost decided blocks");
        return Read(stored + 1);
    }

    /// <summary>
    /// The records of <paramref name="height"/>'s segment (empty when there is none). A torn tail is cut off, with a warning
    /// naming the offset; a damaged middle, a foreign file or an unreadable record throws <see cref="WalException"/>.
    /// </summary>
    public IReadOnlyList<WalRecord> Read(ulong height)
    {
        string name = SegmentName(height);
        var content = _storage.Read(name);
        if (content is null) return [];
        var (frames, validLength) = WalFrames.Read(name, content);
        if (validLength < content.Length)
        {
            _warn($"consensus WAL {name}: torn tail at offset {validLength} ({content.Length - validLength} bytes after the last whole record), truncated");
            _storage.Truncate(name, validLength);
        }
        var records = new List<WalRecord>(frames.Count);
        long offset = WalFrames.HeaderLength;
        foreach (var frame in frames)
        {
            WalRecord record;
            try { record = WalRecord.Parser.ParseFrom(frame.Span); }
            catch (InvalidProtocolBufferException e) { throw new WalException(name, offset, $"a record with a valid checksum does not parse ({e.Message})"); }
            if (record.EntryCase == WalRecord.EntryOneofCase.None) throw new WalException(name, offset, "a record with a valid checksum holds no entry");
            records.Add(record);
            offset += WalFrames.FrameOverhead + frame.Length;
        }
        return records;
    }

    /// <summary>Starts <paramref name="height"/>'s segment afresh (replacing a file of that name, whose records could not be used).</summary>
    public void Begin(ulong height)
    {
        CloseAppender();
        string name = SegmentName(height);
        if (_storage.Read(name) is not null) _storage.Delete(name);
        _appender = _storage.OpenAppend(name);
        // Not synced here: the segment becomes durable with its first records, at the next Sync. Until then a crash may
        // leave a torn header, which reads as an empty segment (the height starts afresh, as nothing of it left).
        _appender.Append(WalFrames.Header());
        Height = height;
    }

    /// <summary>Appends to <paramref name="height"/>'s existing segment after a <see cref="Read"/> (the tail already repaired).</summary>
    public void Continue(ulong height)
    {
        CloseAppender();
        _appender = _storage.OpenAppend(SegmentName(height));
        Height = height;
    }

    /// <summary>Buffers a record; durable at the next <see cref="Sync"/>.</summary>
    public void Append(WalRecord record)
    {
        if (_appender is null) throw new InvalidOperationException("no WAL segment is open: Begin or Continue a height first");
        _appender.Append(WalFrames.Frame(record.ToByteArray()));
    }

    /// <summary>fsync: every record appended so far survives a crash.</summary>
    public void Sync() => _appender?.Sync();

    /// <summary>Deletes segments more than <see cref="KeptPastHeights"/> below the current height.</summary>
    public void Prune()
    {
        foreach (var height in Heights())
            if (height + KeptPastHeights < Height) _storage.Delete(SegmentName(height));
    }

    public void Dispose() => CloseAppender();

    private void CloseAppender()
    {
        _appender?.Dispose();
        _appender = null;
    }
}
