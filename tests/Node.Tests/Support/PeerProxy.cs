using System.Net;
using System.Net.Sockets;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A TCP forwarder on a free loopback port in front of one node's peer port, for partition tests: while <see cref="Cut"/>
/// every connection through it is closed and new ones are closed as soon as they are accepted, as a network that drops
/// the link; <see cref="Heal"/> lets connections through again. Disposing stops it and closes what it carries.
/// </summary>
public sealed class PeerProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private volatile int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public PeerProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Points new connections at <paramref name="targetPort"/> (the target restarted on another port).</summary>
    public void Retarget(int targetPort) => _target = targetPort;

    /// <summary>The port to dial instead of the target's.</summary>
    public int Port { get; }

    public bool IsCut => _cut;

    /// <summary>Drops the link: closes every connection through the proxy, and each new one on arrival, until <see cref="Heal"/>.</summary>
    public void Cut()
    {
        _cut = true;
        CloseAll();
    }

    public void Heal() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            if (_cut) { inbound.Dispose(); continue; }
            _ = CarryAsync(inbound);
        }
    }

    private async Task CarryAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (_open) { _open.Add(inbound); _open.Add(outbound); }
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            // Either direction ending (or the cut closing both sockets) ends the pair.
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { /* the link dropped */ }
        finally
        {
            lock (_open) { _open.Remove(inbound); _open.Remove(outbound); }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private void CloseAll()
    {
        List<TcpClient> open;
        lock (_open) open = [.. _open];
        foreach (var client in open)
        {
            // A reset, not a graceful close: a dropped link does not say goodbye.
            try { if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { /* already closed */ }
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CloseAll();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
