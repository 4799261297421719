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
