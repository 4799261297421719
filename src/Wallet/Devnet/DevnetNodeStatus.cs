using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// One line of <c>p2pe devnet status</c>'s node table: a node's height, round, peers, the validators that signed its
/// last block's commit (by devnet node name), mempool size and lag — how many heights it trails the highest node — or
/// why it did not answer.
/// </summary>
public sealed record DevnetNodeStatus(string Name, string Role, string Url, NodeStatus? Status, string? Error)
{
    /// <summary>The running nodes devnet/up wrote (name, role, public URL, …), one tab-separated line each.</summary>
    public const string NodesFile = "nodes.tsv";

    /// <summary>The (name, role, public URL) of each node in <c>DIR/nodes.tsv</c>; none when devnet/up has not written it.</summary>
    public static IReadOnlyList<(string Name, string Role, Uri Url)> ReadEndpoints(string directory)
    {
        var path = Path.Combine(directory, NodesFile);
        if (!File.Exists(path)) return [];
        return File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split('\t')).Where(f => f.Length >= 3)
            .Select(f => (f[0], f[1], new Uri(f[2]))).ToList();
    }

    /// <summary>
    /// The validators named in committed evidence (ListMisbehaviour), by devnet node name (else address), with how many
    /// records each has and the first height it misbehaved at; in order of that height.
    /// </summary>
    public static IReadOnlyList<(string Name, int Records, ulong FirstHeight)> Offenders(IEnumerable<MisbehaviourRecord> records, IReadOnlyList<DevnetNode> nodes)
        => records.GroupBy(r => Address.FromBytes(r.Validator.Span).ToString())
            .Select(g => (NameOf(g.Key, nodes), g.Count(), g.Min(r => r.Height))).OrderBy(o => o.Item3).ThenBy(o => o.Item1, StringComparer.Ordinal).ToList();

    private static string NameOf(string address, IReadOnlyList<DevnetNode> nodes)
        => nodes.FirstOrDefault(n => string.Equals(n.ValidatorAddress, address, StringComparison.OrdinalIgnoreCase))?.Name ?? address;

    /// <summary>Names the signers of the last commit by node name (an address no node of the devnet holds is printed as is).</summary>
    public IReadOnlyList<string> Signers(IReadOnlyList<DevnetNode> nodes) => Status is null ? [] : Status.Validators.Where(v => v.SignedLastBlock)
        .Select(v => NameOf(Address.FromBytes(v.Address.Span).ToString(), nodes)).ToList();

    /// <summary>The table: lag is against the highest height any node reported.</summary>
    public static (JsonArray Json, List<string> Lines) Table(IReadOnlyList<DevnetNodeStatus> rows, IReadOnlyList<DevnetNode> nodes)
    {
        ulong top = rows.Where(r => r.Status is not null).Select(r => r.Status!.Height).DefaultIfEmpty(0UL).Max();
        var json = new JsonArray();
        var lines = new List<string> { $"{"node",-12} {"role",-9} {"height",7} {"round",5} {"peers",5} {"mempool",7} {"lag",4}  last commit signed by" };
        foreach (var row in rows)
        {
            if (row.Status is not { } s)
            {
                json.Add(new JsonObject { ["name"] = row.Name, ["role"] = row.Role, ["url"] = row.Url, ["error"] = row.Error });
                lines.Add($"{row.Name,-12} {row.Role,-9} not answering at {row.Url}: {row.Error}");
                continue;
            }
            var signers = row.Signers(nodes);
            json.Add(new JsonObject
            {
                ["name"] = row.Name, ["role"] = row.Role, ["url"] = row.Url, ["height"] = s.Height, ["round"] = s.Round, ["peers"] = s.Peers,
                ["mempool"] = s.MempoolSize, ["lag"] = top - s.Height, ["signers"] = new JsonArray([.. signers.Select(n => (JsonNode)n)]),
                ["appHash"] = Hex.Encode(s.AppHash.Span), ["ready"] = s.Ready,
            });
            lines.Add($"{row.Name,-12} {row.Role,-9} {s.Height,7} {s.Round,5} {s.Peers,5} {s.MempoolSize,7} {top - s.Height,4}  {(signers.Count == 0 ? "-" : string.Join(" ", signers))}"
                + $" ({signers.Count} of {s.Validators.Count})");
        }
        return (json, lines);
    }
}
