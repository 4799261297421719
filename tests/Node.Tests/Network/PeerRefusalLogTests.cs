using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Network;

/// <summary>
/// A refused peer is logged once (issue 15: "refused with a reason and logged once"): a warning the first time a peer
/// is refused for a reason, debug for every retry after it, a warning again when the reason changes; every refusal is
/// counted by its code. Two nodes dialing each other is normal, so a duplicate connection is never a warning.
/// </summary>
public sealed class PeerRefusalLogTests
{
    private sealed class Entries : ILogger
    {
        public List<(LogLevel Level, string Message)> All { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (All) All.Add((logLevel, formatter(state, exception)));
        }
    }

    private sealed class NoTarget : ISyncTarget
    {
        public void Pause() { }
        public void Resume() { }
        public void Apply(IReadOnlyList<Block> blocks, Action<Block> commit, Action<int, Exception?> done) => done(0, null);
    }

    private static (PeerNetwork, Entries) Network()
    {
        var chain = new LedgerHarness();
        var mempool = new Mempool(new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default), chain.Parameters, new MemoryLedgerStore(), () => 0);
        var handshake = new PeerHandshake(LedgerHarness.ChainId, Hash32.Zero, LedgerHarness.Key(80), null, _ => false, []);
        var network = new PeerNetwork(handshake, new PeerEndpointOptions().Limits(), mempool, () => 0, _ => null, _ => false, new PeerCount(), new ManualClock(DateTimeOffset.UnixEpoch));
        var log = new Entries();
        network.Attach((_, _) => { }, new NoTarget(), _ => { }, log);
        return (network, log);
    }

    [Fact]
    public void APeerRefusedAgainForTheSameReason_IsAWarningOnce_ThenDebug_AndEveryRefusalIsCounted()
    {
        var (network, log) = Network();
        for (int i = 0; i < 5; i++) network.Refused("0xpeer", new PeerRefusal(PeerRefusal.UnknownKey, "not in the set"));
        network.Refused("0xpeer", new PeerRefusal(PeerRefusal.WrongChain, "chain 7"));
        network.Refused("0xother", new PeerRefusal(PeerRefusal.UnknownKey, "not in the set"));
        Assert.Equal([LogLevel.Warning, LogLevel.Debug, LogLevel.Debug, LogLevel.Debug, LogLevel.Debug, LogLevel.Warning, LogLevel.Warning], log.All.Select(e => e.Level));
        Assert.Contains("PEER_UNKNOWN_KEY", log.All[0].Message);
        Assert.Equal(6, network.Refusals[PeerRefusal.UnknownKey]);
        Assert.Equal(1, network.Refusals[PeerRefusal.WrongChain]);
    }

    [Fact]
    public void ADuplicateConnection_IsNeverAWarning()
    {
        var (network, log) = Network();
        network.Refused("0xpeer", new PeerRefusal(PeerRefusal.Duplicate, "already connected"));
        Assert.Equal(LogLevel.Debug, Assert.Single(log.All).Level);
    }

    /// <summary>A peer stream that has sent nothing and is then cut: the dialer hung up (or its connection faulted).</summary>
    private sealed class HungUp : Grpc.Core.IAsyncStreamReader<PeerFrame>
    {
        public PeerFrame Current => throw new InvalidOperationException("no frame was read");
        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(new IOException("The request stream was aborted."));
    }

    private sealed class Sink : Grpc.Core.IAsyncStreamWriter<PeerFrame>
    {
        public List<PeerFrame> Written { get; } = [];
        public Grpc.Core.WriteOptions? WriteOptions { get; set; }
        public Task WriteAsync(PeerFrame message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(PeerFrame message, CancellationToken cancellationToken)
        {
            Written.Add(message);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task ADialerHangingUpDuringTheHandshake_EndsTheAcceptedStreamQuietly_NotAsAServerError()
    {
        // A dialer refuses its own connection when the peer is already connected the other way (a duplicate), and
        // hangs up mid-handshake: the accepting side's stream just ends. Thrown, it reached the gRPC server, which logs an
        // error with a stack trace for every such attempt.
        var (network, log) = Network();
        var output = new Sink();
        await network.RunAsync(new HungUp(), output, "ipv4:127.0.0.1:50000", dialed: false, authenticated: null, CancellationToken.None);
        Assert.Equal(PeerFrame.BodyOneofCase.Hello, Assert.Single(output.Written).BodyCase);
        Assert.All(log.All, e => Assert.True(e.Level < LogLevel.Warning, $"{e.Level}: {e.Message}"));
        Assert.Empty(network.Peers);
    }

    [Fact]
    public async Task ADialedStreamCutDuringTheHandshake_StillThrows_ForTheDialerToRetryAndReport()
    {
        var (network, _) = Network();
        await Assert.ThrowsAsync<IOException>(() => network.RunAsync(new HungUp(), new Sink(), "http://127.0.0.1:50000/", dialed: true, authenticated: null, CancellationToken.None));
    }
}
