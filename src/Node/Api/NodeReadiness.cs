using System.Globalization;
using P2PEnergy.Node.Consensus;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Whether the node is ready for traffic (/readyz, grpc.health.v1): caught up with its peers, and it committed a block
/// no longer ago than <see cref="StaleAfter"/> (an idle chain still commits a heartbeat block every Node:HeartbeatMs).
/// Liveness (/healthz) is a different question: a stalled node is alive but not ready.
/// </summary>
public sealed class NodeReadiness(CommitWatch commits, TimeProvider clock, TimeSpan staleAfter)
{
    private volatile string? _catchingUp;

    public TimeSpan StaleAfter { get; } = staleAfter;

    /// <summary>
    /// Why the node is behind its peers, or null when it is not. A single validator has no one to be behind; block sync
    /// (issue 15) sets this while a node — say, one started from a snapshot — fetches the blocks it lacks.
    /// </summary>
    public string? CatchingUp
    {
        get => _catchingUp;
        set => _catchingUp = value;
    }

    /// <summary>Ready or not, and why, in one line.</summary>
    public (bool Ready, string Reason) Check()
    {
        if (CatchingUp is { } behind) return (false, $"catching up: {behind}");
        if (commits.LastCommitMs is not { } last) return (false, "the consensus driver has not committed a block since the node started");
        long ageMs = clock.GetUtcNow().ToUnixTimeMilliseconds() - last;
        string limit = StaleAfter.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        return ageMs > StaleAfter.TotalMilliseconds
            ? (false, $"no block committed for {ageMs} ms (block {commits.Height}); more than {limit} ms counts as stalled")
            : (true, $"block {commits.Height} committed {ageMs} ms ago");
    }
}
