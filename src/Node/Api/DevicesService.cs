using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Energy;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Service <c>p2pe.v1.Devices</c>: device agents subscribe to their meter's dispatch instructions. A stream starts at
/// the interval the device names (a reconnecting device names the first one it has not executed) or, with none,
/// at the interval whose gate closed last, and sends one instruction per interval as each gate closes.
/// </summary>
public sealed class DevicesService(IStateReader state, ChainParameters parameters, DispatchPublisher publisher, TimeProvider clock)
    : Contracts.Protos.Devices.DevicesBase
{

    public override async Task StreamDispatch(StreamDispatchRequest request, IServerStreamWriter<DispatchInstruction> stream, ServerCallContext context)
    {
        var meter = DeviceAuthentication.Verify(state, parameters.ChainId, request, (ulong)clock.GetUtcNow().ToUnixTimeSeconds());
        ulong length = parameters.IntervalSeconds;
        ulong interval = request.Auth.FromInterval;
        if (interval == 0) interval = publisher.ClosedThrough ?? (ulong)clock.GetUtcNow().ToUnixTimeSeconds() / length * length;
        if (!Interval.IsAligned(interval, length))
            throw Refusal.Of(ApiReasons.UnalignedInterval, "fromInterval " + Interval.Misaligned(interval, length));
        // Catch-up is bounded by the longest contract: older instructions cannot matter to a device any more.
        ulong oldest = (publisher.ClosedThrough ?? interval) - Math.Min(publisher.ClosedThrough ?? interval, (ulong)parameters.MaxIntervalCount * length);
        if (interval < oldest)
            throw Refusal.Of(ApiReasons.TooFarBack, $"fromInterval {interval} is more than {parameters.MaxIntervalCount} intervals back; the oldest served is {oldest}");
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var instruction = await publisher.NextAsync(meter, interval, context.CancellationToken);
            await stream.WriteAsync(instruction);
            interval += length;
        }
    }
}
