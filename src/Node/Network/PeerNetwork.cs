using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Network;

/// <summary>
/// The node's peers over <c>p2pe.v1.Peer</c> streams, dialed (<see cref="PeerDialer"/>) or accepted
/// (<see cref="PeerService"/>) alike: the handshake, one connection per pair of nodes, and what flows after it —
/// consensus messages to and from the driver, transactions between mempools, block-sync requests and responses. Every
/// peer has its own bounded outbound queue and writer, so a slow or dead peer holds up no one, least of all the consensus
/// thread; every frame in counts against the peer's rate limit, and a peer that floods, sends garbage or breaks the
/// protocol is disconnected with a reason code, logged once per peer.
/// </summary>
public sealed class PeerNetwork : IConsensusNetwork
{
    /// <summary>Consensus messages further than this many heights ahead of this node are dropped (block sync gets there).</summary>
    public const ulong MaxHeightsAhead = 100;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private readonly PeerHandshake _handshake;
    private readonly PeerLimits _options;
    private readonly Mempool _mempool;
    private readonly Func<ulong> _height;
    private readonly Func<ulong, Block?> _committedBlock;
    private readonly Func<Address, bool> _isValidator;
    private readonly PeerCount _count;
    private readonly TimeProvider _clock;
    private readonly Dictionary<Address, PeerConnection> _peers = [];
    // The connections as of the last connect or drop, replaced (never changed) under _peers' lock: every broadcast and
    // every relayed transaction walks it, and reading one array is cheaper than copying the dictionary under the lock.
    private PeerConnection[] _connected = [];
    private readonly RecentSet<Hash32> _seenTransactions = new(65_536);
    private readonly Dictionary<string, string> _loggedRefusals = [];
    private readonly Dictionary<string, long> _refusals = [];
    private Action<ConsensusMessage, Address> _receive = (_, _) => { };
    private ILogger _log = NullLogger.Instance;
    private long _droppedAhead, _droppedStrangers, _relayed, _lateConsensus;

    public PeerNetwork(PeerHandshake handshake, PeerLimits options, Mempool mempool, Func<ulong> height, Func<ulong, Block?> committedBlock,
        Func<Address, bool> isValidator, PeerCount count, TimeProvider clock)
    {
        _handshake = handshake;
        _options = options;
        _mempool = mempool;
        _height = height;
        _committedBlock = committedBlock;
        _isValidator = isValidator;
        _count = count;
        _clock = clock;
        Sync = new BlockSync(this, options.SyncBatchBlocks, height, clock);
        mempool.Admitted += Relay;
        mempool.Accepted += SendRelayed;
    }

    /// <summary>This node's catching up from peers.</summary>
    public BlockSync Sync { get; }

    /// <summary>The connected, authenticated peers.</summary>
    public IReadOnlyList<PeerConnection> Peers => Volatile.Read(ref _connected);

    /// <summary>Frames dropped from full outbound queues, over all current peers.</summary>
    public long DroppedFrames => Peers.Sum(p => p.Outbox.Dropped);

    /// <summary>Consensus messages dropped as too far ahead, and votes or proposals signed by a non-validator.</summary>
    public (long FarAhead, long NonValidator) DroppedMessages => (Interlocked.Read(ref _droppedAhead), Interlocked.Read(ref _droppedStrangers));

    /// <summary>How many connections were refused or closed for each reason code.</summary>
    public IReadOnlyDictionary<string, long> Refusals { get { lock (_refusals) return new Dictionary<string, long>(_refusals); } }

    /// <summary>
    /// Where consensus messages from peers go (the consensus thread), what pauses consensus for block sync and how a
    /// synced block is checked and committed there, and the log; the host calls it once before it starts.
    /// </summary>
    public void Attach(Action<ConsensusMessage, Address> receive, ISyncTarget target, Action<Block> commitSynced, ILogger log)
    {
        _receive = receive;
        _log = log;
        Sync.Attach(target, commitSynced, log);
    }

    public void Broadcast(ConsensusMessage message)
    {
        var frame = new PeerFrame { Consensus = message };
        foreach (var peer in Peers) peer.Send(frame);
    }

    public void Send(Address peer, ConsensusMessage message)
    {
        var frame = new PeerFrame { Consensus = message };
        foreach (var connection in Peers)
            if (connection.Identity.ConsensusAddress == peer) connection.Send(frame);
    }

    /// <summary>Closes every connection and stops block sync (the node stops).</summary>
    public void CloseAll()
    {
        Sync.Dispose();
        foreach (var peer in Peers) peer.Close();
    }

    /// <summary>Completes when no connection to node <paramref name="node"/> is open (at once when none is).</summary>
    public Task Disconnected(Address node)
    {
        lock (_peers) return _peers.TryGetValue(node, out var connection) ? connection.Closed : Task.CompletedTask;
    }

    /// <summary>
    /// Runs one connection from Hello to its end: the handshake, registration, then the reader and writer until either
    /// stops. Throws <see cref="PeerRefusal"/> when the handshake or registration refuses the peer (logged here once);
    /// <paramref name="authenticated"/> hears who the peer is once it proved it.
    /// </summary>
    public async Task RunAsync(IAsyncStreamReader<PeerFrame> input, IAsyncStreamWriter<PeerFrame> output, string remote, bool dialed,
        Action<PeerIdentity>? authenticated, CancellationToken cancellationToken)
    {
        PeerConnection connection;
        PeerHello theirs;
        try
        {
            (connection, theirs) = await HandshakeAsync(input, output, remote, dialed, cancellationToken).ConfigureAwait(false);
        }
        catch (PeerRefusal refusal)
        {
            // Logged once per peer: by the node it claims to be when its hello said, else by its host (an inbound
            // connection's port changes with every attempt).
            Refused(refusal.Node?.ToString() ?? (dialed ? remote : HostOf(remote)), refusal);
            throw;
        }
        catch (Exception e) when (!dialed && e is IOException or RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The dialer hung up before the handshake finished: it refused this connection itself (a duplicate of one
            // the other way), gave up, or stopped. Its own node logs why; here the stream simply ends.
            _log.LogDebug("peer {Peer} closed its stream during the handshake: {Reason}", remote, e.Message);
            return;
        }
        authenticated?.Invoke(connection.Identity);
        _log.LogInformation("peer connected: {Peer} ({Direction})", connection, dialed ? "dialed" : "accepted");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Closing);
        try
        {
            Sync.Claimed(connection, theirs.Height);
            var writer = WriteAsync(connection, output, stop.Token);
            var reader = ReadAsync(connection, input, stop.Token);
            var first = await Task.WhenAny(writer, reader).ConfigureAwait(false);
            stop.Cancel();
            try { await (first == writer ? reader : writer).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException or PeerRefusal) { /* the other half of a closed stream */ }
            await first.ConfigureAwait(false);
        }
        catch (PeerRefusal refusal)
        {
            Refused(connection.Identity.Node.ToString(), refusal);
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
        {
            _log.LogDebug("peer stream of {Peer} ended: {Reason}", connection, e.Message);
        }
        finally
        {
            Unregister(connection);
            _log.LogInformation("peer disconnected: {Peer}", connection);
        }
    }

    private async Task<(PeerConnection, PeerHello)> HandshakeAsync(IAsyncStreamReader<PeerFrame> input, IAsyncStreamWriter<PeerFrame> output, string remote, bool dialed,
        CancellationToken cancellationToken)
    {
        if (Count >= _options.MaxPeers) throw new PeerRefusal(PeerRefusal.TooManyPeers, $"this node has {Count} peers, the limit Node:Peer:MaxPeers is {_options.MaxPeers}");
        using var timeout = new CancellationTokenSource(HandshakeTimeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var mine = _handshake.Hello(_height());
            await output.WriteAsync(new PeerFrame { Hello = mine }, linked.Token).ConfigureAwait(false);
            var hello = await ReadFrameAsync(input, PeerFrame.BodyOneofCase.Hello, linked.Token).ConfigureAwait(false);
            PeerIdentity identity;
            try { identity = _handshake.Accept(hello.Hello); }
            catch (PeerRefusal refusal) when (hello.Hello.Node.Length == 20)
            {
                refusal.Node = Address.FromBytes(hello.Hello.Node.Span);
                throw;
            }
            await output.WriteAsync(new PeerFrame { Proof = _handshake.Prove(hello.Hello, identity) }, linked.Token).ConfigureAwait(false);
            var proof = await ReadFrameAsync(input, PeerFrame.BodyOneofCase.Proof, linked.Token).ConfigureAwait(false);
            _handshake.Verify(proof.Proof, mine, identity);
            var connection = new PeerConnection(identity, dialed, remote, new PeerOutbox(_options.QueueCapacity, Math.Min(_options.MaxMessageBytes / 2, 4 * 1024 * 1024)));
            Register(connection);
            return (connection, hello.Hello);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PeerRefusal(PeerRefusal.HandshakeTimeout, $"the handshake with {remote} did not finish within {HandshakeTimeout.TotalSeconds} s");
        }
    }

    private static async Task<PeerFrame> ReadFrameAsync(IAsyncStreamReader<PeerFrame> input, PeerFrame.BodyOneofCase expected, CancellationToken cancellationToken)
    {
        if (!await NextAsync(input, cancellationToken).ConfigureAwait(false)) throw new IOException($"the peer closed the stream before its {expected}");
        var frame = input.Current;
        return frame.BodyCase == expected ? frame
            : throw new PeerRefusal(PeerRefusal.Malformed, $"the peer sent {frame.BodyCase} where the handshake expects {expected}");
    }

    // The next frame; a frame over the size limit or one that does not parse is the peer's fault, with its reason.
    private static async Task<bool> NextAsync(IAsyncStreamReader<PeerFrame> input, CancellationToken cancellationToken)
    {
        try { return await input.MoveNext(cancellationToken).ConfigureAwait(false); }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            throw new PeerRefusal(PeerRefusal.Oversized, $"the peer sent a frame over the size limit (Node:Peer:MaxMessageBytes): {e.Status.Detail}");
        }
        catch (Exception e) when (Unparsable(e) is { } cause)
        {
            throw new PeerRefusal(PeerRefusal.Malformed, $"the peer sent a frame that does not parse: {cause.Message}");
        }
    }

    private static Google.Protobuf.InvalidProtocolBufferException? Unparsable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is Google.Protobuf.InvalidProtocolBufferException invalid) return invalid;
        return null;
    }

    // "ipv4:127.0.0.1:50312" → "ipv4:127.0.0.1".
    private static string HostOf(string remote) => remote.LastIndexOf(':') is > 0 and var colon ? remote[..colon] : remote;

    private int Count { get { lock (_peers) return _peers.Count; } }

    // One connection per pair of nodes. Two at once (both dialed, or one side redialed before the old stream broke): both
    // ends keep the same one — the one dialed by the node with the lower address when they run in opposite directions,
    // else the newer.
    private void Register(PeerConnection connection)
    {
        var node = connection.Identity.Node;
        PeerConnection? replaced = null;
        lock (_peers)
        {
            if (_peers.TryGetValue(node, out var existing))
            {
                var preferredDialer = _handshake.Node.CompareTo(node) < 0 ? _handshake.Node : node;
                bool newer = existing.Dialed == connection.Dialed || (connection.Dialed ? _handshake.Node : node) == preferredDialer;
                if (!newer)
                    throw new PeerRefusal(PeerRefusal.Duplicate, $"node {node} is already connected ({(existing.Dialed ? "dialed" : "accepted")} at {existing.Remote})") { Node = node };
                replaced = existing;
            }
            else if (_peers.Count >= _options.MaxPeers)
                throw new PeerRefusal(PeerRefusal.TooManyPeers, $"this node has {_peers.Count} peers, the limit Node:Peer:MaxPeers is {_options.MaxPeers}");
            _peers[node] = connection;
            Volatile.Write(ref _connected, [.. _peers.Values]);
            _count.Set(_peers.Count);
        }
        if (replaced is not null)
        {
            _log.LogDebug("{Peer}: a newer connection replaces the one at {Remote}", connection, replaced.Remote);
            replaced.Close();
        }
    }

    private void Unregister(PeerConnection connection)
    {
        connection.Close();
        lock (_peers)
        {
            if (_peers.TryGetValue(connection.Identity.Node, out var current) && ReferenceEquals(current, connection))
                _peers.Remove(connection.Identity.Node);
            Volatile.Write(ref _connected, [.. _peers.Values]);
            _count.Set(_peers.Count);
        }
        connection.MarkClosed();
        Sync.Dropped(connection);
    }

    private static async Task WriteAsync(PeerConnection connection, IAsyncStreamWriter<PeerFrame> output, CancellationToken cancellationToken)
    {
        while (await connection.Outbox.TakeAsync(cancellationToken).ConfigureAwait(false) is { } frame)
            await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAsync(PeerConnection connection, IAsyncStreamReader<PeerFrame> input, CancellationToken cancellationToken)
    {
        var rate = new PeerRateLimit(_options.MessagesPerSecond, _clock);
        while (true)
        {
            if (!await NextAsync(input, cancellationToken).ConfigureAwait(false)) return;
            if (!rate.TryTake())
                throw new PeerRefusal(PeerRefusal.RateExceeded, $"the peer sent more than {_options.MessagesPerSecond} frames in a second (Node:Peer:MessagesPerSecond)");
            Dispatch(connection, input.Current);
        }
    }

    private void Dispatch(PeerConnection connection, PeerFrame frame)
    {
        switch (frame.BodyCase)
        {
            case PeerFrame.BodyOneofCase.Consensus:
                Consensus(connection, frame.Consensus);
                break;
            case PeerFrame.BodyOneofCase.Transactions:
                long started = _clock.GetTimestamp();
                var unseen = frame.Transactions.Transactions.Select(t => t.ToByteArray()).Where(bytes => _seenTransactions.Add(Contracts.Ledger.TransactionId.Of(bytes))).ToList();
                if (unseen.Count > 0) _mempool.Submit(unseen, relayed: connection.Identity.Validator is not null);
                connection.VerifyTicksSinceConsensus += _clock.GetTimestamp() - started;
                connection.FramesSinceConsensus++;
                connection.TransactionsSinceConsensus += frame.Transactions.Transactions.Count;
                break;
            case PeerFrame.BodyOneofCase.BlockRequest:
                connection.Send(new PeerFrame { BlockResponse = Serve(frame.BlockRequest) });
                break;
            case PeerFrame.BodyOneofCase.BlockResponse:
                Sync.Received(connection, frame.BlockResponse);
                break;
            default:
                throw new PeerRefusal(PeerRefusal.Malformed, $"the peer sent a {frame.BodyCase} frame after the handshake");
        }
    }

    // What the transport checks before the consensus thread sees a message: its height is not absurdly far ahead, and a
    // vote or proposal for the height being decided is signed (by its own account) by a validator of that height's set.
    // The driver checks the signatures; this only keeps junk off its queue. The heights seen tell block sync where the
    // peer is.
    private void Consensus(PeerConnection connection, ConsensusMessage message)
    {
        (ulong height, Google.Protobuf.ByteString signer) = message.BodyCase switch
        {
            ConsensusMessage.BodyOneofCase.Vote => (message.Vote.Vote?.Height ?? 0, message.Vote.Validator),
            ConsensusMessage.BodyOneofCase.Proposal => (message.Proposal.Proposal?.Height ?? 0, message.Proposal.Proposer),
            ConsensusMessage.BodyOneofCase.Decision => (message.Decision.Header?.Height + 1 ?? 0, Google.Protobuf.ByteString.Empty),
            ConsensusMessage.BodyOneofCase.Status => (message.Status.Height, Google.Protobuf.ByteString.Empty),
            _ => (0UL, Google.Protobuf.ByteString.Empty),
        };
        if (height == 0) throw new PeerRefusal(PeerRefusal.Malformed, $"the peer sent a consensus {message.BodyCase} without a height");
        NoteWaitBehindTransactions(connection, message, height);
        Sync.Claimed(connection, height - 1);
        ulong own = _height();
        if (height > own + 1 + MaxHeightsAhead)
        {
            Interlocked.Increment(ref _droppedAhead);
            _log.LogDebug("{Peer} sent a consensus {Kind} of height {Height}, more than {Bound} ahead of this node's {Own}; dropped", connection, message.BodyCase, height, MaxHeightsAhead, own);
            return;
        }
        if (height == own + 1 && signer.Length > 0 && (signer.Length != 20 || !_isValidator(Address.FromBytes(signer.Span))))
        {
            long dropped = Interlocked.Increment(ref _droppedStrangers);
            _log.Log(dropped == 1 ? LogLevel.Warning : LogLevel.Debug,"{Peer} sent a consensus {Kind} of height {Height} signed by 0x{Signer}, not a validator of that height; dropped",
                    connection, message.BodyCase, height, Convert.ToHexStringLower(signer.Span));
            return;
        }
        _receive(message, connection.Identity.ConsensusAddress);
    }

    // A proposal or vote the reader took only after checking transaction frames for a while: logged as a warning (the
    // first 100 times, then every 100th) when that took over 200 ms, since it delays consensus by as much.
    private void NoteWaitBehindTransactions(PeerConnection connection, ConsensusMessage message, ulong height)
    {
        var waited = _clock.GetElapsedTime(0, connection.VerifyTicksSinceConsensus);
        if (waited >= TimeSpan.FromMilliseconds(200) && message.BodyCase is ConsensusMessage.BodyOneofCase.Proposal or ConsensusMessage.BodyOneofCase.Vote)
        {
            long count = Interlocked.Increment(ref _lateConsensus);
            _log.Log(count <= 100 || count % 100 == 0 ? LogLevel.Warning : LogLevel.Debug,
                "{Peer}: consensus {Kind} of height {Height} read after {Waited} ms of checking {Frames} transaction frames ({Transactions} transactions) on the same stream ({Count} so far)",
                connection, message.BodyCase, height, (long)waited.TotalMilliseconds, connection.FramesSinceConsensus, connection.TransactionsSinceConsensus, count);
        }
        connection.VerifyTicksSinceConsensus = connection.FramesSinceConsensus = connection.TransactionsSinceConsensus = 0;
    }

    // Committed blocks from the request's height on, as many as asked up to the batch limit and half the frame limit.
    private BlockResponse Serve(BlockRequest request)
    {
        var response = new BlockResponse();
        long bytes = 0;
        ulong height = _height();
        int count = (int)Math.Min(request.Count, (uint)_options.SyncBatchBlocks);
        for (ulong h = Math.Max(1, request.From); h <= height && response.Blocks.Count < count; h++)
        {
            if (_committedBlock(h) is not { } block) break;
            bytes += block.CalculateSize();
            if (bytes > _options.MaxMessageBytes / 2 && response.Blocks.Count > 0) break;
            response.Blocks.Add(block);
        }
        return response;
    }

    /// <summary>Transactions this node queued for its validator peers (one per peer sent to).</summary>
    public long RelayedTransactions => Interlocked.Read(ref _relayed);

    // A transaction this node's mempool accepted: on to every validator peer, once. Validators dial each other (a full
    // mesh), so one relayed by a validator peer was sent to every validator by that peer: relaying it again would make
    // every transaction cross every link twice and be parsed, hashed and deduplicated N − 1 times per node, for nothing.
    // One from a non-validator peer (a follower's API) goes on, as one from this node's API does.
    // Queued without waking the peers' writers: the mempool admits a submitted batch transaction by transaction, and
    // a writer woken by the first would send it alone while the rest are still being queued (a frame, a write and a
    // parse on the peer per transaction). The mempool raises Accepted once the batch is admitted: SendRelayed.
    private void Relay(VerifiedTransaction transaction, bool relayed)
    {
        _seenTransactions.Add(transaction.Id);
        if (relayed) return;
        foreach (var peer in Peers)
            if (peer.Identity.Validator is not null)
            {
                peer.Outbox.QueueTransaction(transaction.Bytes);
                Interlocked.Increment(ref _relayed);
            }
    }

    // A batch is admitted: what Relay queued leaves, as one frame per peer up to the batch size.
    private void SendRelayed()
    {
        foreach (var peer in Peers) peer.Outbox.Wake();
    }

    /// <summary>Counts a refusal and logs it: a warning the first time a peer is refused for a reason, debug after that.</summary>
    internal void Refused(string peer, PeerRefusal refusal)
    {
        lock (_refusals) _refusals[refusal.Code] = _refusals.GetValueOrDefault(refusal.Code) + 1;
        bool first;
        lock (_loggedRefusals)
        {
            if (_loggedRefusals.Count > 4096) _loggedRefusals.Clear();
            first = !_loggedRefusals.TryGetValue(peer, out var last) || last != refusal.Code;
            _loggedRefusals[peer] = refusal.Code;
        }
        if (refusal.Code == PeerRefusal.Duplicate) first = false; // the normal outcome of two nodes dialing each other
        _log.Log(first ? LogLevel.Warning : LogLevel.Debug, "peer {Peer} refused: {Code} {Reason}", peer, refusal.Code, refusal.Message);
    }
}
