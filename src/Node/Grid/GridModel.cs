using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// A validated radial grid model compiled for the flow book: nodes are numbered in depth-first (Euler) order so
/// every subtree is one contiguous range, and every quantity a consensus check uses is an integer (W, milliohm, V,
/// and voltage squared in p.u.² × 10^12).
/// </summary>
public sealed class GridModel
{
    /// <summary>Fixed-point scale of voltage squared: 1 p.u.² = 10^12.</summary>
    public const long VoltageSquaredScale = 1_000_000_000_000;
    /// <summary>Largest resistance or reactance accepted (1 MΩ), which keeps every LinDistFlow product inside Int128.</summary>
    public const long MaxImpedanceMilliohm = 1_000_000_000;

    private readonly Dictionary<string, int> _index;

    /// <summary>keccak256 of the file's bytes: the identity of this model in state and in caches.</summary>
    public Hash32 Hash { get; }
    public int Count { get; }
    /// <summary>Node ids in Euler order; index 0 is the root.</summary>
    public string[] Ids { get; }
    public NodeKind[] Kinds { get; }
    /// <summary>Parent index, -1 at the root; always smaller than the child's index.</summary>
    public int[] Parent { get; }
    /// <summary>One past the last index of each node's subtree: subtree(i) = [i, SubtreeEnd[i]).</summary>
    public int[] SubtreeEnd { get; }
    public int[] Depth { get; }
    /// <summary>The deepest node's depth: a contract's path and a root path have at most this many branches.</summary>
    public int MaxDepth { get; }
    /// <summary>
    /// Largest change of v² (p.u.² × 10^12) one branch may carry, long.MaxValue ÷ (4 × (MaxDepth + 1)): a node's v² is the
    /// source's plus at most MaxDepth branch rises, and the flow book's voltage tree also holds their changes, so with every
    /// rise within this bound no sum it forms leaves 64 bits. Hundreds of p.u.² at any realistic depth — a branch beyond
    /// it is far outside every band, and the contract is refused (VOLTAGE_LIMIT) before the tree is touched.
    /// </summary>
    public long MaxBranchRise { get; }
    /// <summary>Branch rating in W, or in VA where <see cref="RatingIsApparent"/> is set; 0 at the root.</summary>
    public long[] Rating { get; }
    public bool[] RatingIsApparent { get; }
    /// <summary>Branch impedance in whole milliohm, as the consensus checks use it (the file's value, ties to even).</summary>
    public long[] RMilliohm { get; }
    public long[] XMilliohm { get; }
    /// <summary>Branch impedance exactly as the file gives it, fractions of a milliohm included: for the AC analysis only.</summary>
    public decimal[] RMilliohmExact { get; }
    public decimal[] XMilliohmExact { get; }
    public long[] NominalVoltageV { get; }
    /// <summary>Nearest transformer / feeder / substation at or above each node, -1 when none.</summary>
    public int[] Transformer { get; }
    public int[] Feeder { get; }
    public int[] Substation { get; }
    public decimal VMinPu { get; }
    public decimal VMaxPu { get; }
    public long VMinSquared { get; }
    public long VMaxSquared { get; }
    public long SourceSquared { get; }

    private GridModel(Hash32 hash, GridModelFile file, List<int> order, List<GridNodeEntry> nodes, int[] subtreeEnd, int[] parent)
    {
        Hash = hash;
        Count = order.Count;
        Ids = new string[Count];
        Kinds = new NodeKind[Count];
        Rating = new long[Count];
        RatingIsApparent = new bool[Count];
        RMilliohm = new long[Count];
        XMilliohm = new long[Count];
        RMilliohmExact = new decimal[Count];
        XMilliohmExact = new decimal[Count];
        NominalVoltageV = new long[Count];
        Depth = new int[Count];
        Transformer = new int[Count];
        Feeder = new int[Count];
        Substation = new int[Count];
        Parent = parent;
        SubtreeEnd = subtreeEnd;
        _index = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (int i = 0; i < Count; i++)
        {
            var n = nodes[order[i]];
            Ids[i] = n.Id;
            Kinds[i] = n.Kind;
            _index[n.Id] = i;
            RatingIsApparent[i] = n.RatingVa is not null;
            Rating[i] = n.RatingVa ?? n.RatingW ?? 0;
            // Whole milliohm is finer than any rating or band the checks compare against (0.5 mΩ moves v² on a 4 MW,
            // 12.66 kV branch by 2.5·10^-5 p.u.², against LinDistFlow's own ~3·10^-3 p.u.), and keeps the Int128 products
            // of LinDistFlow as they were; the analysis needs the fractions (docs/grid-model.md, "The model file").
            RMilliohm[i] = (long)Math.Round(n.RMilliohm, MidpointRounding.ToEven);
            XMilliohm[i] = (long)Math.Round(n.XMilliohm, MidpointRounding.ToEven);
            RMilliohmExact[i] = n.RMilliohm;
            XMilliohmExact[i] = n.XMilliohm;
            NominalVoltageV[i] = n.NominalVoltageV;
            int p = parent[i];
            Depth[i] = p < 0 ? 0 : Depth[p] + 1;
            MaxDepth = Math.Max(MaxDepth, Depth[i]);
            Transformer[i] = n.Kind == NodeKind.Transformer ? i : p < 0 ? -1 : Transformer[p];
            Feeder[i] = n.Kind == NodeKind.Feeder ? i : p < 0 ? -1 : Feeder[p];
            Substation[i] = n.Kind == NodeKind.Substation ? i : p < 0 ? -1 : Substation[p];
        }
        MaxBranchRise = long.MaxValue / (4L * (MaxDepth + 1));
        VMinPu = file.VMinPu;
        VMaxPu = file.VMaxPu;
        VMinSquared = Squared(file.VMinPu, "vMinPu");
        VMaxSquared = Squared(file.VMaxPu, "vMaxPu");
        SourceSquared = Squared(file.SourceVoltagePu, "sourceVoltagePu");
    }

    /// <summary>The node's index, or -1 when the model has no such node.</summary>
    public int IndexOf(string id) => _index.TryGetValue(id, out var i) ? i : -1;

    /// <summary>
    /// How messages name an element (the node, or the branch to its parent): "feeder F2", and below a feeder with the
    /// feeder first, "feeder F2 segment 7", so an operator finds it without the model at hand.
    /// </summary>
    public string Describe(int node)
    {
        var own = $"{KindName(Kinds[node])} {Ids[node]}";
        return Feeder[node] >= 0 && Feeder[node] != node ? $"feeder {Ids[Feeder[node]]} {own}" : own;
    }

    public static string KindName(NodeKind kind) => kind switch
    {
        NodeKind.Substation => "substation",
        NodeKind.Feeder => "feeder",
        NodeKind.Segment => "segment",
        NodeKind.Transformer => "transformer",
        _ => "service point",
    };

    /// <summary>How far up the tree power between two nodes travels, by the nearest shared transformer, feeder, substation.</summary>
    public PathLevel Level(int a, int b)
    {
        if (Transformer[a] >= 0 && Transformer[a] == Transformer[b]) return PathLevel.SameTransformer;
        if (Feeder[a] >= 0 && Feeder[a] == Feeder[b]) return PathLevel.SameFeeder;
        if (Substation[a] >= 0 && Substation[a] == Substation[b]) return PathLevel.SameSubstation;
        return PathLevel.AcrossSubstations;
    }

    /// <summary>Parses and validates a model file: one root, no cycle, no orphan, positive ratings; errors name the node.</summary>
    public static GridModel Load(ReadOnlySpan<byte> bytes)
    {
        var hash = Keccak256.Hash(bytes);
        var file = GridModelFile.Parse(bytes);
        var nodes = file.Nodes;
        if (nodes.Count == 0) throw new GridModelException("grid model has no nodes");
        if (!(file.VMinPu > 0 && file.VMinPu < file.VMaxPu))
            throw new GridModelException($"voltage band must satisfy 0 < vMinPu < vMaxPu, got [{file.VMinPu}, {file.VMaxPu}]");
        if (file.SourceVoltagePu < file.VMinPu || file.SourceVoltagePu > file.VMaxPu)
            throw new GridModelException($"sourceVoltagePu {file.SourceVoltagePu} lies outside the band [{file.VMinPu}, {file.VMaxPu}]");
        var byId = new Dictionary<string, int>(nodes.Count, StringComparer.Ordinal);
        int root = -1;
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            if (string.IsNullOrEmpty(n.Id) || n.Id.Length > 64 || n.Id.Any(c => c <= ' ' || c == '/'))
                throw new GridModelException($"nodes[{i}]: id '{n.Id}' must be 1..64 printable characters without spaces or '/'");
            if (!byId.TryAdd(n.Id, i)) throw new GridModelException($"node {n.Id}: id appears twice");
            if (!Enum.IsDefined(n.Kind)) throw new GridModelException($"node {n.Id}: unknown kind {n.Kind}");
            if (n.NominalVoltageV <= 0) throw new GridModelException($"node {n.Id}: nominalVoltageV must be > 0, got {n.NominalVoltageV}");
            if (string.IsNullOrEmpty(n.Parent))
            {
                if (root >= 0) throw new GridModelException($"node {n.Id}: a second root (node {nodes[root].Id} is already the root); a radial model has one");
                root = i;
                continue;
            }
            if (n.RatingW is not null && n.RatingVa is not null) throw new GridModelException($"node {n.Id}: give ratingW or ratingVa, not both");
            long rating = n.RatingW ?? n.RatingVa ?? 0;
            if (rating <= 0) throw new GridModelException($"node {n.Id}: the branch to {n.Parent} needs a positive rating (ratingW or ratingVa), got {rating}");
            if (n.RMilliohm is < 0 or > MaxImpedanceMilliohm || n.XMilliohm is < 0 or > MaxImpedanceMilliohm)
                throw new GridModelException($"node {n.Id}: rMilliohm and xMilliohm must lie in [0, {MaxImpedanceMilliohm}], got {n.RMilliohm} and {n.XMilliohm}");
        }
        if (root < 0) throw new GridModelException("grid model has no root (every node names a parent, so the parents form a cycle)");
        var children = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            if (i == root) continue;
            if (!byId.TryGetValue(nodes[i].Parent!, out var p))
                throw new GridModelException($"node {nodes[i].Id}: orphan, its parent '{nodes[i].Parent}' is not in the model");
            (children[p] ??= []).Add(i);
        }
        // Depth-first from the root in file order; a node never reached sits on a cycle detached from the root.
        var order = new List<int>(nodes.Count);
        var position = new int[nodes.Count];
        var subtreeEnd = new int[nodes.Count];
        var parent = new int[nodes.Count];
        var stack = new Stack<(int Node, int Parent, bool Exit)>();
        stack.Push((root, -1, false));
        while (stack.Count > 0)
        {
            var (node, up, exit) = stack.Pop();
            if (exit) { subtreeEnd[position[node]] = order.Count; continue; }
            position[node] = order.Count;
            parent[order.Count] = up < 0 ? -1 : position[up];
            order.Add(node);
            stack.Push((node, up, true));
            if (children[node] is { } kids)
                for (int k = kids.Count - 1; k >= 0; k--) stack.Push((kids[k], node, false));
        }
        if (order.Count != nodes.Count)
        {
            var reached = new HashSet<int>(order);
            var lost = Enumerable.Range(0, nodes.Count).First(i => !reached.Contains(i));
            throw new GridModelException($"node {nodes[lost].Id}: on a cycle (its parents never reach the root {nodes[root].Id})");
        }
        Array.Resize(ref subtreeEnd, order.Count);
        return new GridModel(hash, file, order, nodes, subtreeEnd, parent);
    }

    /// <summary>Every bound meter's node must exist and be a service point.</summary>
    public void RequireServicePoint(string node, string meter)
    {
        int i = IndexOf(node);
        if (i < 0) throw new GridModelException($"meter {meter}: grid node '{node}' is not in the model");
        if (Kinds[i] != NodeKind.ServicePoint) throw new GridModelException($"meter {meter}: grid node '{node}' is a {KindName(Kinds[i])}, not a service point");
    }

    private static long Squared(decimal pu, string field)
    {
        var micro = pu * 1_000_000m;
        if (micro != decimal.Truncate(micro) || micro <= 0 || micro > 2_000_000m)
            throw new GridModelException($"{field} must lie in (0, 2] with at most 6 decimals, got {pu}");
        long m = (long)micro;
        return checked(m * m);
    }
}
