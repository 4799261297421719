namespace P2PEnergy.Node.Network;

/// <summary>
/// How many peers the node is connected to, for <c>p2pe.peers</c> and the peer-loss alert. Zero until the peer network
/// (issue 15) exists: its connection manager sets it whenever a peer connects or drops.
/// </summary>
public sealed class PeerCount
{
    private int _connected;

    public int Connected => Volatile.Read(ref _connected);

    public void Set(int connected)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(connected);
        Volatile.Write(ref _connected, connected);
    }
}
