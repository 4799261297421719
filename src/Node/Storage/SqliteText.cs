using System.Buffers;
using System.Text;
using SQLitePCL;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// Binds a string parameter on SQLite's statement API as UTF-8 without allocating: encoded into a stack buffer (a
/// pooled array for long text), which SQLite copies (SQLITE_TRANSIENT). Shared by the raw read and write paths.
/// </summary>
internal static class SqliteText
{
    private const int StackLimit = 512;

    /// <summary>Binds <paramref name="text"/> to parameter <paramref name="index"/>; returns SQLite's result code.</summary>
    public static int Bind(sqlite3_stmt statement, int index, string text)
    {
        // An empty span would reach SQLite as a null pointer, which binds NULL; "" binds an empty string.
        if (text.Length == 0) return raw.sqlite3_bind_text(statement, index, "");
        int length = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> utf8 = rented is null ? stackalloc byte[StackLimit] : rented;
        try { return raw.sqlite3_bind_text(statement, index, utf8[..Encoding.UTF8.GetBytes(text, utf8)]); }
        finally { if (rented is not null) ArrayPool<byte>.Shared.Return(rented); }
    }
}
