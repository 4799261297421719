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

    // One struct per tree node, not one array per field: a check touches ~1,000 tree nodes at random, and this way
    // each costs one cache line instead of three.
    private struct Node
    {
        public long Min, Max, Add;
        public int Visit;
    }

    private readonly int _size;
    private readonly Node[] _tree;
    private int[] _level = new int[64], _next = new int[64];
    private int _visit;

    public VoltageTree(ReadOnlySpan<long> voltagesSquared)
    {
        _size = 1;
        while (_size < voltagesSquared.Length) _size <<= 1;
        _tree = new Node[2 * _size];
        for (int i = 0; i < _size; i++)
        {
            bool real = i < voltagesSquared.Length;
            _tree[_size + i].Min = real ? voltagesSquared[i] : Empty;
            _tree[_size + i].Max = real ? voltagesSquared[i] : -Empty;
        }
        for (int x = _size - 1; x >= 1; x--) Pull(x);
    }

    /// <summary>Rough heap size, for the flow-book cache's memory budget.</summary>
    public long ApproximateBytes => 32L * _tree.Length;

    public long Min => _tree[1].Min;
    public long Max => _tree[1].Max;

    /// <summary>Adds <paramref name="delta"/> to the v² of every node in [from, to).</summary>
    public void Add(int from, int to, long delta) => AddAll([from], [to], [delta]);

    /// <summary>
    /// Adds <paramref name="deltas"/>[k] to every node in [from[k], to[k]) for all k, then recomputes each affected
    /// ancestor once: a contract's ranges nest along its path and share most ancestors, so this does a fraction of
    /// the work of one <see cref="Add"/> per range.
    /// </summary>
    public void AddAll(ReadOnlySpan<int> from, ReadOnlySpan<int> to, ReadOnlySpan<long> deltas)
    {
        if (_level.Length < 2 * from.Length)
        {
            _level = new int[2 * from.Length];
            _next = new int[2 * from.Length];
        }
        int visit = ++_visit;
        int m = 0;
        for (int k = 0; k < from.Length; k++)
        {
            if (deltas[k] == 0 || from[k] >= to[k]) continue;
            int l = from[k] + _size, r = to[k] + _size;
            m = Enqueue(_level, m, l, visit);
            m = Enqueue(_level, m, r - 1, visit);
            for (; l < r; l >>= 1, r >>= 1)
            {
                if ((l & 1) == 1) Apply(l++, deltas[k]);
                if ((r & 1) == 1) Apply(--r, deltas[k]);
            }
        }
        // Every boundary is a leaf, so all sit at one depth: climb level by level, pulling each parent once, after
        // all of its changed children.
        while (m > 0 && _level[0] > 1)
        {
            int w = 0;
            for (int i = 0; i < m; i++) w = Enqueue(_next, w, _level[i] >> 1, visit);
            for (int i = 0; i < w; i++) Pull(_next[i]);
            (_level, _next) = (_next, _level);
            m = w;
        }
    }

    /// <summary>v² of the node at Euler index <paramref name="index"/>.</summary>
    public long At(int index)
    {
        int x = index + _size;
        long value = _tree[x].Min;
        for (x >>= 1; x >= 1; x >>= 1) value = checked(value + _tree[x].Add);
        return value;
    }

    /// <summary>The lowest Euler index holding the minimum v²: the node a VOLTAGE_LIMIT message names.</summary>
    public int ArgMin()
    {
        int x = 1;
        while (x < _size)
        {
            long target = _tree[x].Min - _tree[x].Add;
            x = _tree[2 * x].Min == target ? 2 * x : 2 * x + 1;
        }
        return x - _size;
    }

    /// <summary>The lowest Euler index holding the maximum v².</summary>
    public int ArgMax()
    {
        int x = 1;
        while (x < _size)
        {
            long target = _tree[x].Max - _tree[x].Add;
            x = _tree[2 * x].Max == target ? 2 * x : 2 * x + 1;
        }
        return x - _size;
    }

    private int Enqueue(int[] list, int count, int x, int visit)
    {
        if (_tree[x].Visit == visit) return count;
        _tree[x].Visit = visit;
        list[count] = x;
        return count + 1;
    }

    // The flow book bounds every branch's rise (GridModel.MaxBranchRise) so that no sum here leaves 64 bits; checked all
    // the same, so a bug in that bound fails the transaction (EXECUTION_FAILED) instead of wrapping into a value that
    // would pass the band check.
    private void Apply(int x, long delta)
    {
        ref var node = ref _tree[x];
        node.Min = checked(node.Min + delta);
        node.Max = checked(node.Max + delta);
        if (x < _size) node.Add = checked(node.Add + delta);
    }

    private void Pull(int x)
    {
        ref var node = ref _tree[x];
        ref var left = ref _tree[2 * x];
        ref var right = ref _tree[2 * x + 1];
        node.Min = checked(Math.Min(left.Min, right.Min) + node.Add);
        node.Max = checked(Math.Max(left.Max, right.Max) + node.Add);
    }
}
