using Microsoft.Extensions.Logging;
using P2PEnergy.Node.Consensus.Core;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;

namespace P2PEnergy.Node.Consensus.Driver;

// Why a round was lost (issue 15: rounds above 0 under load). A timeout that moves the machine on, and a height decided
// in a round above 0, are logged as a warning, once each, with what this node saw of the round: when it started here,
// when the round's proposal arrived and how long before that its proposer stamped the block, and how long this node
// took to build its own. Costs a few clock reads per round, nothing per transaction. Host-side only: the machine never
// sees any of it.
public sealed partial class TendermintDriver
{
    // This node's round start (when the round's propose timeout was scheduled), by round of the current height.
    private readonly Dictionary<int, long> _roundStartMs = [];
    // When each round's proposal of the current height arrived, and the block time its proposer stamped on it.
    private readonly Dictionary<int, (long ArrivedMs, long BlockTimeMs)> _proposalArrivals = [];
    private long _lastBuildMs = -1;
    private long _lostRounds;

    /// <summary>Timeouts that moved the machine on (a round lost, or a step waited out), since the driver started.</summary>
    public long LostRounds => _lostRounds;

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void NoteRoundStart(Timeout timeout)
    {
        if (timeout.Step != Step.Propose || timeout.Height != _core.Height) return;
        if (timeout.Round == 0) { _roundStartMs.Clear(); _proposalArrivals.Clear(); }
        _roundStartMs.TryAdd(timeout.Round, NowMs);
    }

    private void NoteProposal(Proposal proposal, long blockTimeMs)
    {
        if (proposal.Height == _core.Height) _proposalArrivals.TryAdd(proposal.Round, (NowMs, blockTimeMs));
    }

    // Before the machine takes the timeout: it matters only when the machine still waits at that step.
    private void DiagnoseTimeout(Timeout timeout)
    {
        if (_replaying || _core.Decision is not null || timeout.Height != _core.Height || timeout.Round != _core.Round) return;
        if (timeout.Step != Step.Precommit && timeout.Step != _core.Step) return;
        _lostRounds++;
        _log.LogWarning("consensus timeout {Step} at height {Height} round {Round} (proposer {Proposer}): {Seen}",
            timeout.Step, timeout.Height, timeout.Round, _core.ProposerOf(timeout.Round), RoundSeen(timeout.Round));
    }

    private void DiagnoseDecision(Decide decide)
    {
        if (decide.Round == 0) return;
        _log.LogWarning("height {Height} decided in round {Round}; round 0: {Seen}", decide.Height, decide.Round, RoundSeen(0));
    }

    // What this node saw of a round, relative to its own start of it.
    private string RoundSeen(int round)
    {
        if (!_roundStartMs.TryGetValue(round, out long start)) return "round start not seen here";
        string proposal = _proposalArrivals.TryGetValue(round, out var arrival)
            ? $"its proposal arrived {arrival.ArrivedMs - start} ms after the round started here, {arrival.ArrivedMs - arrival.BlockTimeMs} ms after its proposer stamped the block (stamped at {arrival.BlockTimeMs - start} ms)"
            : $"no proposal arrived in {NowMs - start} ms";
        string own = _core.ProposerOf(round) == _key?.Address ? $"; this node proposed, its build took {_lastBuildMs} ms" : "";
        return $"{proposal}{own}; step now {_core.Step}";
    }
}
