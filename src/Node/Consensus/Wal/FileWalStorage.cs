using System.Runtime.InteropServices;

namespace P2PEnergy.Node.Consensus.Wal;

/// <summary>
/// <see cref="IWalStorage"/> on a real directory. Sync is fsync (<see cref="FileStream.Flush(bool)"/> with true), and the
/// first sync of a file this storage created also fsyncs the directory, so the file's entry survives a power cut with
/// its content; creating a file costs nothing until then. Atomic writes go through a temporary file, fsync, rename and
/// an fsync of the directory. Deletions are not synced: a pruned segment that comes back after a power cut lies below
/// the current height, is never read, and is pruned again.
/// </summary>
public sealed class FileWalStorage : IWalStorage
{
    private readonly string _directory;

    public FileWalStorage(string directory)
    {
        Directory.CreateDirectory(directory);
        _directory = directory;
    }

    public IReadOnlyList<string> List()
        => Directory.EnumerateFiles(_directory).Select(Path.GetFileName).Where(n => !n!.EndsWith(".tmp", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList()!;

    public byte[]? Read(string name)
    {
        var path = PathOf(name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public IWalAppender OpenAppend(string name)
    {
        bool created = !File.Exists(PathOf(name));
        var stream = new FileStream(PathOf(name), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
        return new Appender(stream, created ? SyncDirectory : null);
    }

    public void Truncate(string name, long length)
    {
        using (var stream = new FileStream(PathOf(name), FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(length);
            stream.Flush(flushToDisk: true);
        }
    }

    public void Delete(string name) => File.Delete(PathOf(name));

    public void WriteAtomic(string name, byte[] content)
    {
        var temp = PathOf(name + ".tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, PathOf(name), overwrite: true);
        SyncDirectory();
    }

    private string PathOf(string name)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a plain file name", nameof(name));
        return Path.Combine(_directory, name);
    }

    // .NET cannot open a directory as a stream; on Linux open(2) + fsync(2) it. Other systems make renames durable
    // without it (Windows) or are not where validators run.
    private void SyncDirectory()
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = open(_directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"cannot open directory {_directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"fsync of directory {_directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally { close(fd); }
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);

    private sealed class Appender(FileStream stream, Action? syncDirectory) : IWalAppender
    {
        private Action? _syncDirectory = syncDirectory;

        public void Append(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

        public void Sync()
        {
            stream.Flush(flushToDisk: true);
            // A file created by this storage: its directory entry must outlive a crash too, once, at its first sync.
            _syncDirectory?.Invoke();
            _syncDirectory = null;
        }

        public void Dispose() => stream.Dispose();
    }
}
