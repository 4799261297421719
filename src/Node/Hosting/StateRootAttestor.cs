using Google.Protobuf;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// At every snapshot height H (genesis snapshotIntervalBlocks): as block H commits — on the consensus thread, before
/// the next block — it opens a <see cref="StateSnapshot"/>; off that thread it writes the state at H to
/// D/snapshots/&lt;H&gt;.state, computing StateRoot(H) on the way, keeps the newest Node:SnapshotsKept files, and on a
/// validator with Node:AttestStateRoots submits AttestStateRoot{H, StateRoot(H), appHash(H)} signed by the validator
/// key. The consensus thread pays for opening a read transaction, never for the scan.
/// </summary>
public sealed partial class StateRootAttestor : IDisposable
{
    public const string Directory = "snapshots";

    private readonly DataDirectory _dataDir;
    private readonly ChainParameters _parameters;
    private readonly BlockFeed _feed;
    private readonly Mempool _mempool;
    private readonly PrivateKey? _validator;
    private readonly int _keep;
    private readonly ILogger _log;
    private readonly List<Task> _running = [];

    /// <summary><paramref name="validator"/> null: write snapshots, attest nothing.</summary>
    public StateRootAttestor(DataDirectory dataDir, ChainParameters parameters, BlockFeed feed, Mempool mempool, PrivateKey? validator, int keep, ILogger log)
    {
        _dataDir = dataDir;
        _parameters = parameters;
        _feed = feed;
        _mempool = mempool;
        _validator = validator;
        _keep = keep;
        _log = log;
        if (parameters.SnapshotIntervalBlocks == 0 || (keep == 0 && validator is null)) return;
        System.IO.Directory.CreateDirectory(SnapshotsPath(dataDir));
        // A snapshot cut short by a crash or kill -9 left its partial file behind.
        foreach (var partial in System.IO.Directory.EnumerateFiles(SnapshotsPath(dataDir), "*.partial")) File.Delete(partial);
        feed.Committed += OnCommitted;
    }

    /// <summary>Where a data directory keeps its state snapshots.</summary>
    public static string SnapshotsPath(DataDirectory dataDir) => Path.Combine(dataDir.Path, Directory);

    /// <summary>
    /// The state a chain imported from a snapshot starts from (verify replays from it). Named apart from the numbered
    /// files, so pruning to Node:SnapshotsKept never deletes it.
    /// </summary>
    public static string BaseFileOf(DataDirectory dataDir) => Path.Combine(SnapshotsPath(dataDir), BaseFileName);

    /// <summary>The file name of <see cref="BaseFileOf"/>.</summary>
    public const string BaseFileName = "base.state";

    /// <summary>The state snapshot file of height <paramref name="height"/> in <paramref name="dataDir"/>.</summary>
    public static string FileOf(DataDirectory dataDir, ulong height) => Path.Combine(SnapshotsPath(dataDir), $"{height}.state");

    /// <summary>Completes when every snapshot begun so far is written (and attested).</summary>
    public Task Idle()
    {
        lock (_running) return Task.WhenAll(_running);
    }

    private void OnCommitted(CommittedBlock block)
    {
        if (block.Height % _parameters.SnapshotIntervalBlocks != 0) return;
        StateSnapshot snapshot;
        try { snapshot = StateSnapshot.Open(_dataDir.LedgerFile); }
        catch (Exception e) when (e is LedgerStoreException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            LogFailed(_log, block.Height, e);
            return;
        }
        if (snapshot.Height != block.Height)
        {
            // Only a commit between this event and the open could cause it; the consensus thread is here, so none can.
            LogMissed(_log, block.Height, snapshot.Height);
            snapshot.Dispose();
            return;
        }
        lock (_running)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(Task.Run(() => Take(snapshot)));
        }
    }

    private void Take(StateSnapshot snapshot)
    {
        try
        {
            SnapshotFile.Header header;
            using (snapshot) header = SnapshotFile.Write(FileOf(_dataDir, snapshot.Height), snapshot.Height, snapshot.AppHash, snapshot.Entries());
            LogWritten(_log, header.Height, header.StateRoot, header.Entries);
            Prune();
            if (_validator is not null) Attest(header);
        }
        catch (Exception e) when (e is IOException or LedgerStoreException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidDataException)
        {
            LogFailed(_log, snapshot.Height, e);
        }
    }

    private void Attest(SnapshotFile.Header header)
    {
        var body = new AttestStateRoot { Height = header.Height, StateRoot = ByteString.CopyFrom(header.StateRoot.Bytes), AppHash = ByteString.CopyFrom(header.AppHash.Bytes) };
        var envelope = new Transaction { AttestStateRoot = body, ChainId = _parameters.ChainId };
        envelope.Signatures.Add(ByteString.CopyFrom(_validator!.Sign(LedgerTypedData.Digest(body, _parameters.ChainId)).Bytes));
        var verdict = _mempool.Submit(envelope.ToByteArray());
        if (verdict.Accepted) LogAttested(_log, header.Height, header.StateRoot);
        else LogRefused(_log, header.Height, verdict.Code, verdict.Message);
    }

    /// <summary>Keeps the newest Node:SnapshotsKept state files (none when 0: a validator that only attests).</summary>
    private void Prune()
    {
        var files = System.IO.Directory.EnumerateFiles(SnapshotsPath(_dataDir), "*.state")
            .Select(f => (File: f, Height: ulong.TryParse(Path.GetFileNameWithoutExtension(f), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var h) ? h : 0))
            .Where(f => f.Height > 0).OrderByDescending(f => f.Height).ToList();
        foreach (var (file, _) in files.Skip(_keep)) File.Delete(file);
    }

    public void Dispose() => _feed.Committed -= OnCommitted;

    [LoggerMessage(Level = LogLevel.Information, Message = "snapshot at height {Height}: state root {StateRoot} over {Entries} entries")]
    private static partial void LogWritten(ILogger logger, ulong height, Hash32 stateRoot, ulong entries);

    [LoggerMessage(Level = LogLevel.Information, Message = "attested state root {StateRoot} at height {Height}")]
    private static partial void LogAttested(ILogger logger, ulong height, Hash32 stateRoot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the attestation of height {Height} was refused: {Code} {Reason}")]
    private static partial void LogRefused(ILogger logger, ulong height, string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "the snapshot at height {Height} failed")]
    private static partial void LogFailed(ILogger logger, ulong height, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the snapshot at height {Height} was missed: the store was already at {Actual}")]
    private static partial void LogMissed(ILogger logger, ulong height, ulong actual);
}
