using System.Globalization;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// Exclusive use of a data directory for as long as a process holds it, as geth and LevelDB do: an advisory lock on
/// <c>D/LOCK</c>, which holds the holder's PID. Two nodes on one directory would interleave blocks in one store; so
/// <c>run</c>, <c>init</c> and <c>verify</c> take it, and a second one fails at once naming the directory and the PID.
/// </summary>
/// <remarks>
/// The lock is a byte-range lock (<see cref="FileStream.Lock"/>: fcntl on Linux), not the file-wide one FileShare.None
/// gives: that one also keeps other processes from reading the PID. The OS releases it when the holder dies, kill -9
/// included, so a stale LOCK file never blocks a restart. Byte-range locks belong to a process, not to a handle, so
/// a second acquisition inside the same process is refused by the set of directories this process holds — and the
/// holding process must not open the LOCK file again: closing any handle to it would drop the lock (POSIX).
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "LOCK";

    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);
    private readonly FileStream _file;
    private readonly string _directory;

    private DataDirectoryLock(FileStream file, string directory)
    {
        _file = file;
        _directory = directory;
    }

    /// <summary>The lock file of <paramref name="directory"/>.</summary>
    public static string PathIn(DataDirectory directory) => Path.Combine(directory.Path, FileName);

    /// <summary>Takes the lock of an existing directory; throws <see cref="DataDirectoryInUseException"/> when another holder has it.</summary>
    public static DataDirectoryLock Acquire(DataDirectory directory)
    {
        if (!Directory.Exists(directory.Path))
            throw new NodeSetupException($"data directory {directory.Path} does not exist: run p2pe-node init first");
        lock (HeldHere)
        {
            if (HeldHere.Contains(directory.Path))
                throw new DataDirectoryInUseException(directory.Path, Environment.ProcessId);
            var file = OperatingSystem.IsMacOS() ? LockWholeFile(directory) : LockFirstByte(directory);
            HeldHere.Add(directory.Path);
            return new DataDirectoryLock(file, directory.Path);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("macos")]
    private static FileStream LockFirstByte(DataDirectory directory)
    {
        var file = new FileStream(PathIn(directory), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            try { file.Lock(0, 1); }
            catch (IOException) { throw new DataDirectoryInUseException(directory.Path, ReadHolder(file)); }
            // The PID is written after the lock is held, so a reader that finds the lock taken finds a PID (or, in the
            // instant between, an empty file, reported as an unknown holder).
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            file.Flush(flushToDisk: true);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>macOS has no byte-range FileStream.Lock: a file-wide exclusive lock, whose holder others cannot read.</summary>
    private static FileStream LockWholeFile(DataDirectory directory)
    {
        try { return new FileStream(PathIn(directory), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { throw new DataDirectoryInUseException(directory.Path, null); }
    }

    private static int? ReadHolder(FileStream file)
    {
        file.Position = 0;
        var text = new StreamReader(file, leaveOpen: true).ReadToEnd().Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    /// <summary>Releases the lock (the LOCK file stays; it only matters while locked).</summary>
    public void Dispose()
    {
        lock (HeldHere)
        {
            if (!HeldHere.Remove(_directory)) return;
            _file.Dispose();
        }
    }
}

/// <summary>Another process (or this one) holds the data directory's lock; the message names the directory and the holder's PID.</summary>
public sealed class DataDirectoryInUseException(string directory, int? holder)
    : Exception($"data directory {directory} is in use by {(holder is { } pid ? $"process {pid}" : "another process")} " +
                $"({System.IO.Path.Combine(directory, DataDirectoryLock.FileName)} is locked); stop it first, or use another --data-dir")
{
    public string Directory { get; } = directory;
    public int? Holder { get; } = holder;
}
