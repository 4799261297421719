namespace P2PEnergy.Node.Network;

/// <summary>
/// The last <c>capacity</c> distinct items added, oldest forgotten first: dedup of gossip and of handshake challenges
/// in bounded memory. Thread-safe.
/// </summary>
public sealed class RecentSet<T>(int capacity) where T : notnull
{
    private readonly HashSet<T> _items = new(capacity);
    private readonly Queue<T> _order = new(capacity);

    /// <summary>True when <paramref name="item"/> was not among the remembered ones (it is now).</summary>
    public bool Add(T item)
    {
        lock (_items)
        {
            if (!_items.Add(item)) return false;
            _order.Enqueue(item);
            if (_order.Count > capacity) _items.Remove(_order.Dequeue());
            return true;
        }
    }

    public bool Contains(T item) { lock (_items) return _items.Contains(item); }

    public int Count { get { lock (_items) return _items.Count; } }
}
