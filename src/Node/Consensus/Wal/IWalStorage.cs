namespace P2PEnergy.Node.Consensus.Wal;

/// <summary>
/// The directory the consensus log lives in, reduced to the operations the log needs, so tests can keep it in memory
/// and crash it at any write (a write that was not synced may be lost or torn; an atomic write is all or nothing).
/// </summary>
public interface IWalStorage
{
    /// <summary>Names of the files present, in ordinal order.</summary>
    IReadOnlyList<string> List();

    /// <summary>The whole content of a file, or null when it does not exist.</summary>
    byte[]? Read(string name);

    /// <summary>Opens a file for appending, creating it empty when missing; a created file is durable from its first sync.</summary>
    IWalAppender OpenAppend(string name);

    /// <summary>Cuts a file to <paramref name="length"/> bytes, durably.</summary>
    void Truncate(string name, long length);

    /// <summary>Removes a file; not necessarily durable (only pruning deletes, and a pruned file is never read again).</summary>
    void Delete(string name);

    /// <summary>Replaces a small file all at once: write a temporary file, fsync it, rename it over, fsync the directory.</summary>
    void WriteAtomic(string name, byte[] content);
}

/// <summary>An open log file. <see cref="Append"/> may sit in buffers until <see cref="Sync"/> makes everything so far durable.</summary>
public interface IWalAppender : IDisposable
{
    void Append(ReadOnlySpan<byte> bytes);

    /// <summary>fsync: every byte appended so far survives a crash.</summary>
    void Sync();
}
