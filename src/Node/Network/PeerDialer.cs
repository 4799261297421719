using System.Net.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Network;

/// <summary>
/// Keeps a connection to every peer in Node:Peer:Peers: dials it, runs the connection through <see cref="PeerNetwork"/>,
/// and after a failure or a drop dials again after a capped exponential backoff (<see cref="ReconnectBackoff"/>, on the
/// injected clock). While the node behind an address is connected the other way (it dialed this node, and this node's
/// dial was refused as a duplicate), it waits for that connection to end.
/// </summary>
public sealed class PeerDialer(PeerNetwork network, IReadOnlyList<Uri> peers, PeerLimits options, TimeProvider clock, ILogger<PeerDialer> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(peers.Select(peer => Task.Run(() => KeepAsync(peer, stoppingToken), stoppingToken)));

    private async Task KeepAsync(Uri peer, CancellationToken stoppingToken)
    {
        var backoff = new ReconnectBackoff(options.ReconnectMax);
        Address? node = null;
        string? lastFailure = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (node is { } known) await network.Disconnected(known).WaitAsync(stoppingToken).ConfigureAwait(false);
                using var channel = GrpcChannel.ForAddress(peer, ChannelOptions());
                using var call = new Peer.PeerClient(channel).Connect(cancellationToken: stoppingToken);
                await network.RunAsync(call.ResponseStream, call.RequestStream, peer.ToString(), dialed: true, identity =>
                {
                    node = identity.Node;
                    lastFailure = null;
                    backoff.Reset();
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (PeerRefusal refusal) when (refusal.Code == PeerRefusal.Self)
            {
                log.LogInformation("peer {Peer} is this node itself; not dialing it again", peer);
                return;
            }
            catch (PeerRefusal refusal) when (refusal.Code == PeerRefusal.Duplicate && refusal.Node is { } connected)
            {
                // The node at this address is connected already, by its own dial: wait for that connection to end (the
                // top of the loop) rather than handshake again at every backoff step. Counted by the network.
                node = connected;
                backoff.Reset();
            }
            catch (PeerRefusal) { /* counted and logged by the network */ }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
            {
                // Logged once per peer and reason: a peer down for an hour is one warning, not one per attempt.
                string reason = e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
                if (reason != lastFailure) log.LogWarning("peer {Peer} unreachable or refusing this node: {Reason}; retrying with backoff up to {Max} ms", peer, reason, options.ReconnectMax.TotalMilliseconds);
                else log.LogDebug("peer {Peer} still unreachable: {Reason}", peer, reason);
                lastFailure = reason;
            }
            try { await Task.Delay(backoff.Next(), clock, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private GrpcChannelOptions ChannelOptions() => new()
    {
        MaxReceiveMessageSize = options.MaxMessageBytes,
        MaxSendMessageSize = options.MaxMessageBytes,
        HttpHandler = new SocketsHttpHandler
        {
            // A peer that vanished without closing its socket is noticed within seconds, not at the TCP timeout.
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // Peers prove who they are by their node keys (PeerHandshake), not by certificates: TLS here is for privacy,
            // and a self-signed peer certificate is accepted.
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        },
        DisposeHttpClient = true,
    };
}
