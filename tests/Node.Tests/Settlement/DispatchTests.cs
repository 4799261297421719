using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Market.Dispatch;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>Self-dispatch: instructions derived at gate closure, the device key check, and the Devices stream.</summary>
public class DispatchTests
{
    private static StreamDispatchRequest Auth(PrivateKey key, string meter, ulong issuedAt, ulong fromInterval = 0)
    {
        var auth = new DeviceAuth { Meter = meter, IssuedAt = issuedAt, FromInterval = fromInterval };
        return new StreamDispatchRequest { Auth = auth, Signature = ByteString.CopyFrom(key.Sign(LedgerTypedData.Digest(auth, LedgerHarness.ChainId)).Bytes) };
    }

    [Fact]
    public void Instruction_IsTheNetContractedExport_InWhAndAverageW_WithItsContracts()
    {
        var s = new SettlementScenario().WithContract();
        var all = DispatchSchedule.ForInterval(s.H.State, s.H.Parameters, s.First);
        Assert.Equal((2_000L, 8_000L), (all["MTR-A"].NetExportWh, all["MTR-A"].NetExportW)); // 2 kWh in 15 min = 8 kW
        Assert.Equal((-2_000L, -8_000L), (all["MTR-B"].NetExportWh, all["MTR-B"].NetExportW));
        Assert.Equal("MTR-B", Assert.Single(all["MTR-A"].Contracts).CounterpartyMeter);
        var meter = MeterState(s, "MTR-A");
        Assert.Equal(all["MTR-A"], DispatchSchedule.ForMeter(s.H.State, s.H.Parameters, meter, s.First));
        Assert.Empty(DispatchSchedule.ForInterval(s.H.State, s.H.Parameters, s.First - LedgerHarness.Interval));
        Assert.Empty(DispatchSchedule.ForInterval(s.H.State, s.H.Parameters, s.Second + LedgerHarness.Interval));
    }

    [Fact]
    public void DeviceAuth_RegisteredKeyAndFresh_Passes_OtherwiseUnauthenticated()
    {
        var h = new LedgerHarness();
        ulong now = h.NowSeconds;
        Assert.Equal("MTR-A", DeviceAuthentication.Verify(h.State, LedgerHarness.ChainId, Auth(h.AliceDevice, "MTR-A", now), now).Meter);
        var wrongKey = Assert.Throws<RpcException>(() => DeviceAuthentication.Verify(h.State, LedgerHarness.ChainId, Auth(h.BobDevice, "MTR-A", now), now));
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);
        var owner = Assert.Throws<RpcException>(() => DeviceAuthentication.Verify(h.State, LedgerHarness.ChainId, Auth(h.Alice, "MTR-A", now), now));
        Assert.Equal(StatusCode.Unauthenticated, owner.StatusCode);
        var stale = Assert.Throws<RpcException>(() => DeviceAuthentication.Verify(h.State, LedgerHarness.ChainId, Auth(h.AliceDevice, "MTR-A", now - 301), now));
        Assert.Equal(StatusCode.Unauthenticated, stale.StatusCode);
        var otherChain = Auth(h.AliceDevice, "MTR-A", now);
        Assert.Equal(StatusCode.Unauthenticated, Assert.Throws<RpcException>(() => DeviceAuthentication.Verify(h.State, 99, otherChain, now)).StatusCode);
    }

    [Fact]
    public async Task Stream_SendsEachIntervalAtGateClosure_AndCatchesUpFromTheNamedInterval()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        var feed = new BlockFeed(h.Height);
        var publisher = new DispatchPublisher(h.State, h.Parameters, feed, h.TimeMs);
        var clock = new Support.ManualClock(DateTimeOffset.FromUnixTimeSeconds((long)h.NowSeconds));
        var service = new DevicesService(h.State, h.Parameters, publisher, clock);
        var writer = new CollectingWriter();
        using var cancel = new CancellationTokenSource();
        var call = new TestCallContext("/p2pe.v1.Devices/StreamDispatch", cancel.Token);
        var streaming = service.StreamDispatch(Auth(h.AliceDevice, "MTR-A", h.NowSeconds, fromInterval: s.First - LedgerHarness.Interval), writer, call);

        // Gates of First − 1 and First have not closed: nothing yet. No waiting needed to know it: the call runs
        // synchronously until it awaits the publisher, and only Advance (called by this test alone) wakes it, so
        // whatever it would send without an Advance it has already sent when it returns — a late send is impossible.
        Assert.False(streaming.IsCompleted);
        Assert.Empty(writer.Messages);
        ulong gateOfFirst = s.First - h.Parameters.GateClosureSeconds;
        publisher.Advance((long)gateOfFirst * 1000);
        await writer.WaitForCount(2);
        Assert.Equal((0L, 2_000L), (writer.Messages[0].NetExportWh, writer.Messages[1].NetExportWh));
        Assert.Equal(s.First, writer.Messages[1].IntervalStart);
        publisher.Advance((long)(s.Second + 3 * LedgerHarness.Interval) * 1000);
        await writer.WaitForCount(5);
        Assert.Equal(2_000L, writer.Messages[2].NetExportWh);
        Assert.Equal(0L, writer.Messages[3].NetExportWh);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => streaming);

        // A device that reconnects naming an interval no longer kept in memory gets it derived from state.
        publisher.Advance((long)(s.First + 40 * LedgerHarness.Interval) * 1000);
        Assert.Equal(2_000L, (await publisher.NextAsync(MeterState(s, "MTR-A"), s.First, default)).NetExportWh);
        var wrong = await Assert.ThrowsAsync<RpcException>(() => service.StreamDispatch(Auth(h.BobDevice, "MTR-A", h.NowSeconds), writer, call));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
    }

    [Fact]
    public async Task CommittedBlock_ClosingAGate_ReturnsBeforeTheDerivation_WhichPublishesAfterwards()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        var feed = new BlockFeed(h.Height);
        var state = new HeldScans(h.State);
        var publisher = new DispatchPublisher(state, h.Parameters, feed, h.TimeMs);
        var waiting = publisher.NextAsync(MeterState(s, "MTR-A"), s.First, default);
        state.Hold();

        // The block closing First's gate: on the committing thread (here, this one) the publisher only schedules. Were
        // the scan run here, Publish would not return until the held scan gave up after 30 s and threw.
        ulong gateOfFirst = s.First - h.Parameters.GateClosureSeconds;
        feed.Publish(BlockAt(h.Height + 1, (long)gateOfFirst * 1000));
        await state.Entered.WaitAsync(TimeSpan.FromSeconds(30)); // the worker is inside the scan
        Assert.False(waiting.IsCompleted);
        Assert.True(publisher.ClosedThrough is not { } closed || closed < s.First);

        state.Release();
        Assert.Equal(2_000L, (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).NetExportWh);
        Assert.Equal(s.First, publisher.ClosedThrough);
    }

    [Fact]
    public async Task Derivation_ThatFails_IsReported_AndTheNextBlockDerivesAgain()
    {
        var s = new SettlementScenario().WithContract();
        var h = s.H;
        var feed = new BlockFeed(h.Height);
        var state = new HeldScans(h.State);
        var publisher = new DispatchPublisher(state, h.Parameters, feed, h.TimeMs);
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.DerivationFailed += e => failed.TrySetResult(e);
        state.FailNext = true;

        ulong gateOfFirst = s.First - h.Parameters.GateClosureSeconds;
        feed.Publish(BlockAt(h.Height + 1, (long)gateOfFirst * 1000));
        Assert.Equal("scan failed (test)", (await failed.Task.WaitAsync(TimeSpan.FromSeconds(30))).Message);
        Assert.True(publisher.ClosedThrough is not { } closed || closed < s.First); // nothing published half-way

        feed.Publish(BlockAt(h.Height + 2, (long)gateOfFirst * 1000 + 1_000));
        Assert.Equal(2_000L, (await publisher.NextAsync(MeterState(s, "MTR-A"), s.First, default).WaitAsync(TimeSpan.FromSeconds(30))).NetExportWh);
    }

    private static CommittedBlock BlockAt(ulong height, long timeMs)
        => new(new Block { Header = new BlockHeader { Height = height, TimeMs = timeMs } }, default, []);

    /// <summary>A state whose range scans can be held (to catch a derivation on the wrong thread) or made to fail once.</summary>
    private sealed class HeldScans(Node.Ledger.State.IStateReader inner) : Node.Ledger.State.IStateReader
    {
        private readonly ManualResetEventSlim _open = new(initialState: true);
        private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Completes when a scan begins after the last <see cref="Hold"/>.</summary>
        public Task Entered => Volatile.Read(ref _entered).Task;
        public volatile bool FailNext;

        public void Hold()
        {
            Volatile.Write(ref _entered, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _open.Reset();
        }
        public void Release() => _open.Set();

        public byte[]? Get(string key) => inner.Get(key);
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => inner.Scan(prefix);
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from)
        {
            if (FailNext) { FailNext = false; throw new InvalidOperationException("scan failed (test)"); }
            return Held(inner.Scan(prefix, from));
        }

        private IEnumerable<KeyValuePair<string, byte[]>> Held(IEnumerable<KeyValuePair<string, byte[]>> rows)
        {
            Volatile.Read(ref _entered).TrySetResult();
            // The bound only turns a derivation stuck on the committing thread into a failure instead of a hang.
            if (!_open.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("scan held for 30 s");
            foreach (var row in rows) yield return row;
        }
    }

    private static MeterState MeterState(SettlementScenario s, string meter)
        => Contracts.Protos.MeterState.Parser.ParseFrom(s.H.State.Get(Node.Ledger.State.StateKeys.Meter(meter))!);

    /// <summary>Collects what the stream sends and signals each count reached: tests wait on the signal, not on a clock.</summary>
    private sealed class CollectingWriter : IServerStreamWriter<DispatchInstruction>
    {
        private readonly object _gate = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        public List<DispatchInstruction> Messages { get; } = [];

        public Task WriteAsync(DispatchInstruction message)
        {
            lock (_gate)
            {
                Messages.Add(message);
                foreach (var waiter in _waiters.Where(w => Messages.Count >= w.Count).ToList())
                {
                    waiter.Reached.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
            return Task.CompletedTask;
        }

        public Task WriteAsync(DispatchInstruction message, CancellationToken cancellationToken) => WriteAsync(message);
        public WriteOptions? WriteOptions { get; set; }

        /// <summary>Completes once <paramref name="count"/> instructions arrived; the bound only turns a hang into a failure.</summary>
        public Task WaitForCount(int count)
        {
            lock (_gate)
            {
                if (Messages.Count >= count) return Task.CompletedTask;
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }
}
