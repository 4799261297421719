using System.Runtime.CompilerServices;
using Grpc.Core;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>The generated clients of the node's services on a channel, and server streams read to their end.</summary>
public static class ApiClients
{
    public static Contracts.Protos.Ledger.LedgerClient Ledger(this ChannelBase channel) => new(channel);
    public static Contracts.Protos.Settlement.SettlementClient Settlement(this ChannelBase channel) => new(channel);
    public static Contracts.Protos.Grid.GridClient Grid(this ChannelBase channel) => new(channel);
    public static Devices.DevicesClient Devices(this ChannelBase channel) => new(channel);

    /// <summary>Every message of a server stream; leaving the loop early disposes (cancels) the call.</summary>
    public static async IAsyncEnumerable<T> ReadAll<T>(this AsyncServerStreamingCall<T> call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using (call)
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken)) yield return message;
        }
    }
}
