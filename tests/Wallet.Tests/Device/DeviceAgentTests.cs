using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>The agent's signatures (DeviceAuth, MeterReading) and its reconnect loop, without a node.</summary>
public sealed class DeviceAgentTests : IDisposable
{
    private const ulong ChainId = 4242;
    private static readonly PrivateKey DeviceKey = new(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes("p2pe-device-unit")).Bytes);
    private readonly string _home = Path.Combine(Path.GetTempPath(), "p2pe-agent-" + Guid.NewGuid().ToString("N"));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A clock whose timers fire at once, moving time on to when they were due: backoff waits cost no wall-clock time.</summary>
    private sealed class JumpingClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;
        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Interlocked.Add(ref _ticks, dueTime.Ticks);
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }
            return new Fired();
        }

        private sealed class Fired : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private DeviceAgent Agent(GrpcChannel channel, TimeProvider clock, ReconnectBackoff? backoff = null)
        => new(new DeviceAgentOptions("MTR-A", _home, 900) { Backoff = backoff ?? ReconnectBackoff.Default },
            channel, DeviceKey, new FlexibleLoadDriver(1_000, 500), clock);

    [Fact]
    public void DeviceAuth_IsIssuedNow_ForTheResumeInterval_AndSignedByTheDeviceKey()
    {
        using var channel = NodeChannel.Create(new Uri("http://127.0.0.1:1"));
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_123);
        var request = Agent(channel, new FixedClock(now)).Authenticate(ChainId, 1_800_000_900);
        Assert.Equal(("MTR-A", 1_800_000_123UL, 1_800_000_900UL), (request.Auth.Meter, request.Auth.IssuedAt, request.Auth.FromInterval));
        var signer = Signer.Recover(LedgerTypedData.Digest(request.Auth, ChainId), Signature.FromBytes(request.Signature.Span));
        Assert.Equal(DeviceKey.Address, signer);
    }

    [Fact]
    public void Reading_CarriesTheStep_AndIsSignedByTheDeviceKeyOnTheChain()
    {
        using var channel = NodeChannel.Create(new Uri("http://127.0.0.1:1"));
        var tx = Agent(channel, TimeProvider.System).Reading(ChainId, 1_800_000_000, new DeviceStep(12, 34, "x"));
        Assert.Equal(new MeterReading { Meter = "MTR-A", IntervalStart = 1_800_000_000, ImportWh = 12, ExportWh = 34 }, tx.MeterReading);
        Assert.Equal(ChainId, tx.ChainId);
        var signer = Signer.Recover(LedgerTypedData.Digest(tx.MeterReading, ChainId), Signature.FromBytes(Assert.Single(tx.Signatures).Span));
        Assert.Equal(DeviceKey.Address, signer);
    }

    [Fact]
    public async Task UnreachableNode_IsRetried_OnTheBackoffSchedule_UntilCancelled()
    {
        // Port 1 on loopback refuses at once, so each attempt fails fast and only the backoff paces the loop.
        using var channel = NodeChannel.Create(new Uri("http://127.0.0.1:1"));
        var agent = Agent(channel, new JumpingClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)), new ReconnectBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40)));
        var delays = new List<TimeSpan>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        agent.Reconnecting += (_, delay) =>
        {
            lock (delays)
            {
                delays.Add(delay);
                if (delays.Count == 5) stop.Cancel();
            }
        };
        await agent.RunAsync(stop.Token);
        Assert.Equal([10, 20, 40, 40, 40], delays.Select(d => d.TotalSeconds));
        Assert.False(File.Exists(new DeviceCursor(_home, "MTR-A").FilePath));
    }

    [Fact]
    public async Task NodeThatStaysUnreachable_IsGivenUp_AtTheLimit_WithNodeUnreachable_NamingTheNodeAndHowLong()
    {
        // Regression: the agent retried a lost node without limit. 1 s doubling to 30 s, giving up after 2 min: the
        // waits are 1, 2, 4, 8, 16, 30, 30 and the 29 s left, then one more attempt fails at 120 s and the agent stops.
        using var channel = NodeChannel.Create(new Uri("http://127.0.0.1:1"));
        var start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var clock = new JumpingClock(start);
        var agent = Agent(channel, clock, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));
        var delays = new List<double>();
        agent.Reconnecting += (_, delay) => { lock (delays) delays.Add(delay.TotalSeconds); };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var failure = await Assert.ThrowsAsync<WalletException>(() => agent.RunAsync(stop.Token));
        Assert.False(stop.IsCancellationRequested, "the agent did not give up on its own");
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 29], delays);
        Assert.Equal(TimeSpan.FromMinutes(2), clock.GetUtcNow() - start);
        Assert.Equal((ExitCode.NodeUnreachable, "NODE_UNREACHABLE"), (failure.ExitCode, failure.Reason));
        Assert.Contains("the node at 127.0.0.1:1", failure.Message);
        Assert.Contains("meter MTR-A", failure.Message);
        Assert.Contains("for 120 s (9 attempts", failure.Message);
        Assert.Contains("giving up after 120 s", failure.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }
}
