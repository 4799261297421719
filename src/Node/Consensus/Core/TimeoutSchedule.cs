namespace P2PEnergy.Node.Consensus.Core;

/// <summary>
/// timeoutPropose/Prevote/Precommit(round) of the paper: a base plus a step per round, so that once the network is
/// synchronous the timeouts eventually exceed its delay, and capped after <see cref="GrowthRounds"/> rounds so a long
/// outage does not leave the chain waiting minutes for the first round after it. Defaults are CometBFT's: propose
/// 3 s + 0.5 s per round, prevote and precommit 1 s + 0.5 s per round; growth stops at round 10.
/// </summary>
public sealed class TimeoutSchedule
{
    public TimeoutSchedule(
        TimeSpan? proposeBase = null, TimeSpan? proposeDelta = null,
        TimeSpan? prevoteBase = null, TimeSpan? prevoteDelta = null,
        TimeSpan? precommitBase = null, TimeSpan? precommitDelta = null,
        int growthRounds = 10)
    {
        ProposeBase = Positive(proposeBase ?? TimeSpan.FromSeconds(3), nameof(proposeBase));
        ProposeDelta = NotNegative(proposeDelta ?? TimeSpan.FromMilliseconds(500), nameof(proposeDelta));
        PrevoteBase = Positive(prevoteBase ?? TimeSpan.FromSeconds(1), nameof(prevoteBase));
        PrevoteDelta = NotNegative(prevoteDelta ?? TimeSpan.FromMilliseconds(500), nameof(prevoteDelta));
        PrecommitBase = Positive(precommitBase ?? TimeSpan.FromSeconds(1), nameof(precommitBase));
        PrecommitDelta = NotNegative(precommitDelta ?? TimeSpan.FromMilliseconds(500), nameof(precommitDelta));
        if (growthRounds is < 0 or > 10_000) throw new ArgumentOutOfRangeException(nameof(growthRounds), growthRounds, "growthRounds must lie in [0, 10000]");
        GrowthRounds = growthRounds;
    }

    /// <summary>CometBFT's defaults.</summary>
    public static TimeoutSchedule Default { get; } = new();

    public TimeSpan ProposeBase { get; }
    public TimeSpan ProposeDelta { get; }
    public TimeSpan PrevoteBase { get; }
    public TimeSpan PrevoteDelta { get; }
    public TimeSpan PrecommitBase { get; }
    public TimeSpan PrecommitDelta { get; }

    /// <summary>Rounds after which the timeouts stop growing: round r waits base + delta × min(r, GrowthRounds).</summary>
    public int GrowthRounds { get; }

    /// <summary>How long <paramref name="step"/> of <paramref name="round"/> waits.</summary>
    public TimeSpan For(Step step, int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        var (baseline, delta) = step switch
        {
            Step.Propose => (ProposeBase, ProposeDelta),
            Step.Prevote => (PrevoteBase, PrevoteDelta),
            Step.Precommit => (PrecommitBase, PrecommitDelta),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no timeout for this step"),
        };
        return TimeSpan.FromTicks(checked(baseline.Ticks + delta.Ticks * Math.Min(round, GrowthRounds)));
    }

    private static TimeSpan Positive(TimeSpan value, string name)
        => value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0");

    private static TimeSpan NotNegative(TimeSpan value, string name)
        => value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 0");
}
