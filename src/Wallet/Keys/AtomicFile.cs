namespace P2PEnergy.Wallet.Keys;

/// <summary>
/// Writes a file so that readers see either nothing (or the old content) or the whole new content: a temp file
/// in the same folder, flushed to disk, then renamed. Files are created owner-only (0600) on Unix, as geth does.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, string content, bool overwrite)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".tmp-{Guid.NewGuid():N}-{Path.GetFileName(path)}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Creates a folder (and parents) owner-only on Unix.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
