using System.Net;
using System.Net.Sockets;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// Loopback ports for the nodes a test starts. The kernel hands a port just released to the next bind to port 0, so
/// ports found one at a time can repeat, and a port found free can go to the next listener on port 0 (a test proxy
/// once took a node's peer port that way). Another process can still take one before the node binds it: the callers
/// retry on AddressInUse.
/// </summary>
public sealed class LoopbackPorts : IDisposable
{
    private readonly List<TcpListener> _held;

    private LoopbackPorts(int count)
    {
        _held = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var listener in _held) listener.Start();
        }
        catch
        {
            Dispose();
            throw;
        }
        Ports = _held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
    }

    /// <summary>Ports all different, held (bound) until disposed, so that no bind to port 0 meanwhile gets one of them.</summary>
    public int[] Ports { get; }

    /// <summary>Holds <paramref name="count"/> ports until the result is disposed.</summary>
    public static LoopbackPorts Hold(int count) => new(count);

    /// <summary><paramref name="count"/> ports free at the time of asking, all different.</summary>
    public static int[] Free(int count)
    {
        using var held = Hold(count);
        return held.Ports;
    }

    public void Dispose()
    {
        foreach (var listener in _held) listener.Dispose();
    }
}
