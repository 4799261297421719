using System.Text;
using SQLitePCL;

namespace P2PEnergy.Node.Storage;

/// <summary>
/// Binds a string parameter on SQLite's statement API as UTF-8 without allocating: encoded into a per-thread buffer,
/// which SQLite copies (SQLITE_TRANSIENT). Shared by the raw read and write paths.
/// </summary>
/// <remarks>
/// One pass: the buffer is sized for the worst case (3 bytes per UTF-16 unit) and grown when a text needs more, so the
/// text is not measured first. It was a zero-initialised 512-byte stackalloc per bind plus a counting pass: a commit
/// binds every changed key and every result's code and message.
/// </remarks>
internal static class SqliteText
{
    private const int MaxBufferedChars = 8 * 1024;
    [ThreadStatic] private static byte[]? t_buffer;

    /// <summary>Binds <paramref name="text"/> to parameter <paramref name="index"/>; returns SQLite's result code.</summary>
    public static int Bind(sqlite3_stmt statement, int index, string text)
    {
        // An empty span would reach SQLite as a null pointer, which binds NULL; "" binds an empty string.
        if (text.Length == 0) return raw.sqlite3_bind_text(statement, index, "");
        // Long text (never a state key or reason code) is encoded on its own, so the per-thread buffer stays small.
        if (text.Length > MaxBufferedChars) return raw.sqlite3_bind_text(statement, index, Encoding.UTF8.GetBytes(text));
        int worst = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < worst) t_buffer = buffer = new byte[Math.Max(worst, 1024)];
        return raw.sqlite3_bind_text(statement, index, buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)));
    }
}
