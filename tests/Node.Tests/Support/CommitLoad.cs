using System.Collections.Concurrent;
using Google.Protobuf;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// Signed traffic against one node from concurrent tasks — operator deposits to Alice and Bob, and energy contracts
/// between them both ways — plus a StreamBlocks follower. Records what the node reported committed (and at which
/// height), and every deposit it was sent, so a test can hold a restarted node to exactly those claims.
/// </summary>
public sealed class CommitLoad
{
    private readonly LiveChain _chain;
    private long _nonce;

    public CommitLoad(LiveChain chain) => _chain = chain;

    /// <summary>Transactions the node reported committed: by WatchTransaction (with its result) or in a streamed block.</summary>
    public ConcurrentDictionary<ByteString, ReportedCommit> Reported { get; } = new();

    /// <summary>Every deposit sent to the node (whether or not it answered, accepted or committed it), with its amount.</summary>
    public ConcurrentDictionary<ByteString, ulong> SubmittedDeposits { get; } = new();

    /// <summary>The highest block height any answer of the node has shown.</summary>
    public ulong MaxHeight => (ulong)Interlocked.Read(ref _maxHeight);
    private long _maxHeight;

    /// <summary>Commits reported by WatchTransaction so far (the stream's reports are extra).</summary>
    public int WatchedCommits => _watchedCommits;
    private int _watchedCommits;

    /// <summary>
    /// Runs <paramref name="workersPerKind"/> submitters of each kind and a block follower against
    /// <paramref name="channel"/> until <see cref="ExpectNodeLoss"/> is called and the node dies, or <paramref name="stop"/>
    /// fires. A failure after either ends a task quietly; one before fails the returned task.
    /// </summary>
    public Task RunAsync(GrpcChannel channel, ulong followFromHeight, int workersPerKind, CancellationToken stop)
    {
        Volatile.Write(ref _nodeLost, 0);
        var k = _chain.Keys;
        var workers = new List<Task> { Guard(() => FollowBlocksAsync(channel, followFromHeight, stop), stop) };
        for (int i = 0; i < workersPerKind; i++)
        {
            workers.Add(Guard(() => SubmitLoopAsync(channel, n => _chain.Deposit(k.Alice, 5_000 + n % 7, n), stop), stop));
            workers.Add(Guard(() => SubmitLoopAsync(channel, n => _chain.Deposit(k.Bob, 5_000 + n % 11, n), stop), stop));
            workers.Add(Guard(() => SubmitLoopAsync(channel, n => Tests.Ledger.LedgerHarness.Envelope(_chain.Contract(k.Alice, k.Bob, n), k.Alice, k.Bob), stop), stop));
            workers.Add(Guard(() => SubmitLoopAsync(channel, n => Tests.Ledger.LedgerHarness.Envelope(_chain.Contract(k.Bob, k.Alice, n), k.Bob, k.Alice), stop), stop));
        }
        return Task.WhenAll(workers);
    }

    /// <summary>Completes once WatchTransaction has reported at least <paramref name="count"/> commits in total.</summary>
    public async Task WaitForWatchedCommitsAsync(int count, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (WatchedCommits < count)
        {
            try { await Task.Delay(10, limit.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"only {WatchedCommits} of {count} commits reported within {timeout}"); }
        }
    }

    /// <summary>Records a height seen in any answer (GetNodeStatus, a commit, a block).</summary>
    public void ObserveHeight(ulong height)
    {
        long current;
        while ((long)height > (current = Interlocked.Read(ref _maxHeight)))
            if (Interlocked.CompareExchange(ref _maxHeight, (long)height, current) == current) break;
    }

    /// <summary>
    /// Says the node is about to die. In-flight calls are deliberately not cancelled, so the kill lands while
    /// transactions are being submitted and committed; the failures it causes are then expected.
    /// </summary>
    public void ExpectNodeLoss() => Volatile.Write(ref _nodeLost, 1);
    private int _nodeLost;
    private bool NodeLost => Volatile.Read(ref _nodeLost) == 1;

    private async Task SubmitLoopAsync(GrpcChannel channel, Func<ulong, Transaction> build, CancellationToken stop)
    {
        while (!NodeLost && !stop.IsCancellationRequested)
        {
            var tx = build((ulong)Interlocked.Increment(ref _nonce));
            var id = ByteString.CopyFrom(TransactionId.Of(tx.ToByteArray()).Bytes);
            // Recorded before the call: a kill can land after the node accepted (and even committed) the deposit but
            // before its answer reached us, and the funds check must still account for it.
            if (tx.BodyCase == Transaction.BodyOneofCase.Deposit) SubmittedDeposits[id] = tx.Deposit.Amount;
            var submitted = await channel.SubmitAsync(tx, stop);
            if (!submitted.Accepted) throw new InvalidOperationException($"mempool refused a {tx.BodyCase}: {submitted.Code} {submitted.Message}");
            if (submitted.TransactionId != id) throw new InvalidOperationException($"the node names transaction 0x{Convert.ToHexStringLower(id.Span)} 0x{Convert.ToHexStringLower(submitted.TransactionId.Span)}");
            var status = await channel.WatchAsync(submitted.TransactionId, stop);
            if (status.State != TransactionStatus.Types.State.Committed)
                throw new InvalidOperationException($"an accepted {tx.BodyCase} ended {status.State} on a running node");
            Report(submitted.TransactionId, status.Height, status.Result.Code);
            Interlocked.Increment(ref _watchedCommits);
        }
    }

    private async Task FollowBlocksAsync(GrpcChannel channel, ulong fromHeight, CancellationToken stop)
    {
        await foreach (var block in channel.Ledger().StreamBlocks(new StreamBlocksRequest { FromHeight = fromHeight }, deadline: DateTime.MaxValue, cancellationToken: stop).ReadAll())
        {
            foreach (var bytes in block.Transactions)
                Report(ByteString.CopyFrom(TransactionId.Of(bytes.Span).Bytes), block.Header.Height, code: null);
            ObserveHeight(block.Header.Height);
        }
    }

    private void Report(ByteString id, ulong height, string? code)
    {
        ObserveHeight(height);
        // The watcher knows the result code, the block stream only the height: keep the code when either brings it.
        Reported.AddOrUpdate(id, new ReportedCommit(height, code), (_, seen) => seen with { Code = code ?? seen.Code, Conflict = seen.Conflict || seen.Height != height });
    }

    private async Task Guard(Func<Task> work, CancellationToken stop)
    {
        try { await work(); }
        catch (Exception) when (NodeLost || stop.IsCancellationRequested) { /* the node was killed under us, or the test stopped: expected */ }
    }
}

/// <summary>A commit as the node reported it; <see cref="Conflict"/> when two reports named different heights.</summary>
public sealed record ReportedCommit(ulong Height, string? Code, bool Conflict = false);
