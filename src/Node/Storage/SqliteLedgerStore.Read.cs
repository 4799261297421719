using System.Text;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Storage;

public sealed partial class SqliteLedgerStore
{
    /// <summary>Rows a <see cref="Scan(string)"/> reads per visit to the read connection.</summary>
    internal const int ScanPageSize = 1024;

    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_stateKeys.MayContain(key)) return null;
        using var lease = LeaseReader();
        var reader = lease.Reader;
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return reader.Commands.Get.Get(key);
        }
    }

    /// <remarks>
    /// Lazy, but never holds the read lock while the caller runs: each page of <see cref="ScanPageSize"/> rows is
    /// read and materialised under the lock, then yielded without it, and the next page resumes after the last key
    /// seen (keyset paging). So a caller may Get, Scan or even Commit inside its loop without deadlocking. The cost:
    /// each page is its own snapshot, so a scan that spans a concurrent commit may see earlier pages before the
    /// block and later ones after it. Block execution is unaffected (it is the only writer and commits after it has
    /// finished reading); an API answer that must be one snapshot should fit in a page or be read between blocks.
    /// </remarks>
    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ScanPages(prefix, PrefixEnd(prefix));
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(from);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ScanPages(string.CompareOrdinal(from, prefix) < 0 ? prefix : from, PrefixEnd(prefix));
    }

    private IEnumerable<KeyValuePair<string, byte[]>> ScanPages(string from, string? end)
    {
        string? after = null;
        while (true)
        {
            var page = ReadPage(from, end);
            foreach (var row in page)
            {
                // A page resumes at the last key of the previous one (inclusive), which is skipped here: ">=" keeps
                // one statement shape for both the first and later pages.
                if (after is not null && string.Equals(row.Key, after, StringComparison.Ordinal)) continue;
                yield return row;
            }
            if (page.Count < ScanPageSize) yield break;
            from = after = page[^1].Key;
        }
    }

    private List<KeyValuePair<string, byte[]>> ReadPage(string from, string? end)
    {
        using var lease = LeaseReader();
        var reader = lease.Reader;
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var command = end is null ? reader.Commands.ScanToEnd : reader.Commands.ScanRange;
            command.Parameters["$from"].Value = from;
            if (end is not null) command.Parameters["$end"].Value = end;
            command.Parameters["$limit"].Value = ScanPageSize;
            var page = new List<KeyValuePair<string, byte[]>>();
            using var rows = command.ExecuteReader();
            while (rows.Read()) page.Add(new(rows.GetString(0), (byte[])rows[1]));
            return page;
        }
    }

    /// <summary>
    /// The least string greater than every string that starts with <paramref name="prefix"/>: the prefix with its
    /// last code point incremented, or null (no bound) for "" or a prefix of only U+10FFFF. Works in code points
    /// because SQLite's BINARY collation compares UTF-8 bytes, and UTF-8 byte order is code-point order — so
    /// "acct/" ends before "acct0" ('/' + 1 = '0'). For the ASCII keys of <see cref="StateKeys"/> it is also the
    /// ordinal (UTF-16) order the rest of the ledger uses.
    /// </summary>
    internal static string? PrefixEnd(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            int last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last == 0x10FFFF) continue;
            int next = last + 1 == 0xD800 ? 0xE000 : last + 1; // surrogates are not code points
            runes.Add(new Rune(next));
            var end = new StringBuilder();
            foreach (var rune in runes) end.Append(rune.ToString());
            return end.ToString();
        }
        return null;
    }

    public Block? GetBlock(ulong height)
    {
        if (height > long.MaxValue) return null;
        using var lease = LeaseReader();
        var reader = lease.Reader;
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            reader.Commands.GetBlock.Parameters[0].Value = ToDb(height);
            return reader.Commands.GetBlock.ExecuteScalar() is byte[] bytes ? Block.Parser.ParseFrom(bytes.AsSpan()) : null;
        }
    }

    public IReadOnlyList<TransactionResult> GetResults(ulong height) =>
        height > long.MaxValue ? [] : ReadRows(c => c.GetResults, ToDb(height), row => ReadResult(row, 0));

    public (ulong Height, TransactionResult Result)? FindTransaction(Hash32 transactionId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_transactionIds.MayContain(transactionId.Bytes)) return null;
        return FindUnfiltered(transactionId);
    }

    private (ulong Height, TransactionResult Result)? FindUnfiltered(Hash32 transactionId)
    {
        using var lease = LeaseReader();
        var reader = lease.Reader;
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            reader.Commands.FindTransaction.Parameters[0].Value = transactionId.ToArray();
            using var rows = reader.Commands.FindTransaction.ExecuteReader();
            if (!rows.Read()) return null;
            return ((ulong)rows.GetInt64(0), ReadResult(rows, 1));
        }
    }

    public IReadOnlyList<StateChange> GetChanges(ulong height) =>
        height > long.MaxValue ? [] : ReadRows(c => c.GetChanges, ToDb(height), row => (byte[])row[0]) is [var blob] ? ChangeSetEncoding.Decode(blob) : [];

    /// <summary>Every row of a one-parameter query, materialised under the read lock.</summary>
    private List<T> ReadRows<T>(Func<ReadCommands, SqliteCommand> query, object parameter, Func<SqliteDataReader, T> map)
    {
        using var lease = LeaseReader();
        var reader = lease.Reader;
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var command = query(reader.Commands);
            command.Parameters[0].Value = parameter;
            var list = new List<T>();
            using var rows = command.ExecuteReader();
            while (rows.Read()) list.Add(map(rows));
            return list;
        }
    }

    /// <summary>Reads id, code, message, payload_id starting at column <paramref name="first"/>.</summary>
    private static TransactionResult ReadResult(SqliteDataReader row, int first) => new()
    {
        TransactionId = ByteString.CopyFrom((byte[])row[first]),
        Code = row.GetString(first + 1),
        Message = row.GetString(first + 2),
        PayloadId = ByteString.CopyFrom((byte[])row[first + 3]),
    };
}
