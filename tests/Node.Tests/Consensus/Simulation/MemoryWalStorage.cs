using P2PEnergy.Node.Consensus.Wal;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>The process died at a write point (thrown by <see cref="MemoryWalStorage"/> when told to crash there).</summary>
public sealed class SimulatedCrash(string where) : Exception($"simulated crash at {where}");

/// <summary>
/// A WAL directory in memory that survives the simulated process: what was synced stays, what was not may be lost or
/// torn when the node crashes (<see cref="Crash"/>), and atomic writes are all or nothing. Every write is a numbered
/// write point; <see cref="CrashAtWrite"/> makes the n-th throw <see cref="SimulatedCrash"/> before it happens.
/// </summary>
public sealed class MemoryWalStorage : IWalStorage
{
    private readonly SortedDictionary<string, FileState> _files = new(StringComparer.Ordinal);

    /// <summary>Write points passed so far.</summary>
    public int Writes { get; private set; }

    /// <summary>The write point (1-based, counted from now on) at which to crash; 0 = never.</summary>
    public int CrashAtWrite { get; set; }

    public IReadOnlyList<string> List() => _files.Keys.ToList();

    public byte[]? Read(string name) => _files.TryGetValue(name, out var file) ? file.Data.ToArray() : null;

    public IWalAppender OpenAppend(string name)
    {
        WritePoint($"create {name}");
        if (!_files.ContainsKey(name)) _files[name] = new FileState();
        return new Appender(this, name);
    }

    public void Truncate(string name, long length)
    {
        WritePoint($"truncate {name}");
        var file = _files[name];
        file.Data.RemoveRange((int)length, file.Data.Count - (int)length);
        file.Synced = Math.Min(file.Synced, file.Data.Count);
    }

    public void Delete(string name)
    {
        WritePoint($"delete {name}");
        _files.Remove(name);
    }

    public void WriteAtomic(string name, byte[] content)
    {
        WritePoint($"atomic write {name}");
        _files[name] = new FileState { Data = [.. content], Synced = content.Length };
    }

    /// <summary>
    /// The process died: each file keeps what was synced plus a random part of what was not (a torn write), sometimes
    /// followed by zeros (blocks allocated but never written).
    /// </summary>
    public void Crash(SimRandom random)
    {
        CrashAtWrite = 0;
        foreach (var file in _files.Values)
        {
            int unsynced = file.Data.Count - file.Synced;
            int kept = file.Synced + (unsynced == 0 ? 0 : random.Next(unsynced + 1));
            file.Data.RemoveRange(kept, file.Data.Count - kept);
            if (kept > file.Synced && random.Chance(200)) file.Data.AddRange(new byte[random.Next(16) + 1]);
            file.Synced = file.Data.Count;
        }
    }

    /// <summary>Direct access for tests that damage a file.</summary>
    public void Overwrite(string name, byte[] content) => _files[name] = new FileState { Data = [.. content], Synced = content.Length };

    private void WritePoint(string what)
    {
        Writes++;
        if (CrashAtWrite > 0 && --CrashAtWrite == 0) throw new SimulatedCrash($"write point {Writes} ({what})");
    }

    private sealed class FileState
    {
        public List<byte> Data { get; init; } = [];
        public int Synced { get; set; }
    }

    private sealed class Appender(MemoryWalStorage storage, string name) : IWalAppender
    {
        public void Append(ReadOnlySpan<byte> bytes)
        {
            storage.WritePoint($"append {name}");
            if (storage._files.TryGetValue(name, out var file)) file.Data.AddRange(bytes.ToArray());
        }

        public void Sync()
        {
            storage.WritePoint($"sync {name}");
            if (storage._files.TryGetValue(name, out var file)) file.Synced = file.Data.Count;
        }

        public void Dispose() { }
    }
}
