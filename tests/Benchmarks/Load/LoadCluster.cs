using System.Collections;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// The validator processes of a load run on this machine: one <see cref="NodeUnderLoad"/> per validator, each with
/// its own key, data directory and ports, every one configured to dial every other's peer port.
/// </summary>
public sealed class LoadCluster : IReadOnlyList<NodeUnderLoad>, IDisposable
{
    private readonly List<NodeUnderLoad> _nodes = [];

    public LoadCluster(LoadWorkload workload, int validators, int maxBlockTransactions, string? binary)
    {
        var keys = validators == 1 ? [NodeUnderLoad.DefaultValidator] : Enumerable.Range(0, validators).Select(i => NodeUnderLoad.Key($"validator-{i}")).ToArray();
        var genesis = workload.GenesisJson(keys.Select(k => k.Address.ToString()).ToList());
        // Every node's peer and API ports, all different.
        var ports = LoopbackPorts.Free(2 * validators);
        var peerPorts = ports[..validators];
        try
        {
            for (int i = 0; i < validators; i++)
            {
                var environment = new Dictionary<string, string>();
                if (validators > 1)
                {
                    environment["P2PE_Node__Peer__Port"] = peerPorts[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
                    environment["P2PE_Node__Peer__Address"] = "127.0.0.1";
                    environment["P2PE_Node__Peer__Peers"] = string.Join(",", peerPorts.Where((_, j) => j != i).Select(p => $"127.0.0.1:{p}"));
                }
                _nodes.Add(new NodeUnderLoad(genesis, maxBlockTransactions, binary, keys[i], environment, port: ports[validators + i]));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _nodes.Count;
    public NodeUnderLoad this[int index] => _nodes[index];
    public int IndexOf(NodeUnderLoad node) => _nodes.IndexOf(node);

    /// <summary>CPU time all validator processes have used so far.</summary>
    public TimeSpan CpuTime() => _nodes.Aggregate(TimeSpan.Zero, (sum, n) => sum + n.CpuTime());

    /// <summary>Bytes all validator processes have written so far: through write calls, and to the block device.</summary>
    public (long Written, long ToDisk) WrittenBytes() => _nodes.Select(n => n.WrittenBytes()).Aggregate((0L, 0L), (sum, n) => (sum.Item1 + n.Written, sum.Item2 + n.ToDisk));

    /// <summary>Each validator process's tiered-compilation threads' CPU so far, by thread id.</summary>
    public Dictionary<int, long>[] TieringCpuTicks() => _nodes.Select(n => n.TieringCpuTicks()).ToArray();

    /// <summary>CPU all validator processes' tiered-compilation threads spent since <paramref name="before"/>.</summary>
    public TimeSpan TieringCpuSince(Dictionary<int, long>[] before) => _nodes.Select((n, i) => n.TieringCpuSince(before[i])).Aggregate(TimeSpan.Zero, (a, b) => a + b);

    public IEnumerator<NodeUnderLoad> GetEnumerator() => _nodes.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
    }
}
