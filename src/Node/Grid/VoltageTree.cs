namespace P2PEnergy.Node.Grid;

/// <summary>
/// Every node's v² (p.u.² × 10^12) in Euler order, in a segment tree that adds a constant to a range and keeps the
/// global minimum and maximum. A branch's change of flow shifts v² of its whole subtree — one contiguous range — so a
/// contract's voltage check costs O(path × log n), not O(n): the 10 µs budget on a 10,000-node model rests on this.
/// Bottom-up, without lazy propagation: each tree node keeps the add applied to all of its range.
/// </summary>
public sealed class VoltageTree
{
    // Padding leaves never receive an add (ranges stay inside [0, count)), so these never move.
    private const long Empty = long.MaxValue / 4;

    private readonly int _size;
    private readonly long[] _min, _max, _add;
    private int[] _boundary = new int[64];

    public VoltageTree(ReadOnlySpan<long> voltagesSquared)
    {
        _size = 1;
        while (_size < voltagesSquared.Length) _size <<= 1;
        _min = new long[2 * _size];
        _max = new long[2 * _size];
        _add = new long[_size];
        for (int i = 0; i < _size; i++)
        {
            bool real = i < voltagesSquared.Length;
            _min[_size + i] = real ? voltagesSquared[i] : Empty;
            _max[_size + i] = real ? voltagesSquared[i] : -Empty;
        }
        for (int x = _size - 1; x >= 1; x--) Pull(x);
    }

    public long Min => _min[1];
    public long Max => _max[1];

    /// <summary>Adds <paramref name="delta"/> to the v² of every node in [from, to).</summary>
    public void Add(int from, int to, long delta)
    {
        if (delta == 0 || from >= to) return;
        int l = from + _size, r = to + _size;
        int left = l, right = r - 1;
        for (; l < r; l >>= 1, r >>= 1)
        {
            if ((l & 1) == 1) Apply(l++, delta);
            if ((r & 1) == 1) Apply(--r, delta);
        }
        for (left >>= 1; left >= 1; left >>= 1) Pull(left);
        for (right >>= 1; right >= 1; right >>= 1) Pull(right);
    }

    /// <summary>
    /// Adds <paramref name="deltas"/>[k] to every node in [from[k], to[k]) for all k, then recomputes each affected
    /// ancestor once: a contract's ranges nest along its path and share most ancestors, so this does a fraction of
    /// the work of one <see cref="Add"/> per range.
    /// </summary>
    public void AddAll(ReadOnlySpan<int> from, ReadOnlySpan<int> to, ReadOnlySpan<long> deltas)
    {
        if (_boundary.Length < 2 * from.Length) _boundary = new int[2 * from.Length];
        int m = 0;
        for (int k = 0; k < from.Length; k++)
        {
            if (deltas[k] == 0 || from[k] >= to[k]) continue;
            int l = from[k] + _size, r = to[k] + _size;
            _boundary[m++] = l;
            _boundary[m++] = r - 1;
            for (; l < r; l >>= 1, r >>= 1)
            {
                if ((l & 1) == 1) Apply(l++, deltas[k]);
                if ((r & 1) == 1) Apply(--r, deltas[k]);
            }
        }
        // Every boundary is a leaf, so all sit at one depth: sort once, then climb level by level, merging duplicates.
        var level = _boundary.AsSpan(0, m);
        level.Sort();
        while (m > 0 && level[0] > 1)
        {
            int w = 0;
            for (int i = 0; i < m; i++)
            {
                int up = level[i] >> 1;
                if (w == 0 || level[w - 1] != up) level[w++] = up;
            }
            m = w;
            level = level[..m];
            foreach (var x in level) Pull(x);
        }
    }

    /// <summary>v² of the node at Euler index <paramref name="index"/>.</summary>
    public long At(int index)
    {
        int x = index + _size;
        long value = _min[x];
        for (x >>= 1; x >= 1; x >>= 1) value += _add[x];
        return value;
    }

    /// <summary>The lowest Euler index holding the minimum (or maximum) v²: the node a VOLTAGE_LIMIT message names.</summary>
    public int ArgMin() => Descend(_min);

    public int ArgMax() => Descend(_max);

    private int Descend(long[] extreme)
    {
        int x = 1;
        while (x < _size)
        {
            long target = extreme[x] - _add[x];
            x = extreme[2 * x] == target ? 2 * x : 2 * x + 1;
        }
        return x - _size;
    }

    private void Apply(int x, long delta)
    {
        _min[x] += delta;
        _max[x] += delta;
        if (x < _size) _add[x] += delta;
    }

    private void Pull(int x)
    {
        _min[x] = Math.Min(_min[2 * x], _min[2 * x + 1]) + _add[x];
        _max[x] = Math.Max(_max[2 * x], _max[2 * x + 1]) + _add[x];
    }
}
