using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// Section Node:Consensus: the Tendermint timeouts (base and growth per round, capped), the BFT-time drift bound and the
/// gossip interval (docs/node.md, docs/consensus.md). Every validator of a chain should use the same timeouts.
/// </summary>
public sealed class ConsensusOptions
{
    public const string Section = "Consensus";

    [Description("How long a validator waits for a round's proposal, in ms; grows by TimeoutProposeDeltaMs per round")]
    [Range(1, 600000)]
    public int TimeoutProposeMs { get; set; } = 3000;
    [Description("Growth of the propose timeout per round, in ms")]
    [Range(0, 600000)]
    public int TimeoutProposeDeltaMs { get; set; } = 500;

    [Description("After prevotes of more than 2/3 of the power for different values, how long before precommitting nil, in ms")]
    [Range(1, 600000)]
    public int TimeoutPrevoteMs { get; set; } = 1000;
    [Description("Growth of the prevote timeout per round, in ms")]
    [Range(0, 600000)]
    public int TimeoutPrevoteDeltaMs { get; set; } = 500;

    [Description("After precommits of more than 2/3 of the power without a decision, how long before the next round, in ms")]
    [Range(1, 600000)]
    public int TimeoutPrecommitMs { get; set; } = 1000;
    [Description("Growth of the precommit timeout per round, in ms")]
    [Range(0, 600000)]
    public int TimeoutPrecommitDeltaMs { get; set; } = 500;

    [Description("Rounds after which the timeouts stop growing (the cap: base + delta × this)")]
    [Range(0, 10000)]
    public int TimeoutGrowthRounds { get; set; } = 10;

    [Description("A fresh proposal whose block time is more than this ahead of the local clock gets this node's nil prevote, in ms")]
    [Range(0, 3600000)]
    public int MaxClockDriftMs { get; set; } = 5000;

    [Description("How often consensus checks for progress and, when none was made, sends its messages again, in ms")]
    [Range(1, 600000)]
    public int GossipIntervalMs { get; set; } = 1000;

    /// <summary>The environment variable that must name the same behaviour as <see cref="TestByzantine"/> for a node to take it.</summary>
    public const string TestByzantineVariable = "P2PE_TEST_BYZANTINE";

    [Description("Test only: make this validator Byzantine (equivocate: sign and send a conflicting vote beside each vote). Refused unless the environment variable P2PE_TEST_BYZANTINE names the same value; empty for every real node")]
    [AllowedValues("", "equivocate")]
    public string TestByzantine { get; set; } = "";

    /// <summary>Throws <see cref="NodeSettingException"/> naming the first setting out of range (the binding checks the same ranges from text).</summary>
    public void Validate()
    {
        Require(TimeoutProposeMs, 1, 600_000, nameof(TimeoutProposeMs));
        Require(TimeoutPrevoteMs, 1, 600_000, nameof(TimeoutPrevoteMs));
        Require(TimeoutPrecommitMs, 1, 600_000, nameof(TimeoutPrecommitMs));
        Require(TimeoutProposeDeltaMs, 0, 600_000, nameof(TimeoutProposeDeltaMs));
        Require(TimeoutPrevoteDeltaMs, 0, 600_000, nameof(TimeoutPrevoteDeltaMs));
        Require(TimeoutPrecommitDeltaMs, 0, 600_000, nameof(TimeoutPrecommitDeltaMs));
        Require(TimeoutGrowthRounds, 0, 10_000, nameof(TimeoutGrowthRounds));
        Require(MaxClockDriftMs, 0, 3_600_000, nameof(MaxClockDriftMs));
        Require(GossipIntervalMs, 1, 600_000, nameof(GossipIntervalMs));
        // A switch that makes a validator misbehave must not be one typo in a settings file away: the process environment
        // has to ask for it too, so a production unit (whose environment names no such thing) refuses to start with it.
        if (TestByzantine is not ("" or "equivocate"))
            throw new NodeSettingException($"Node:{Section}:{nameof(TestByzantine)}", TestByzantine, "empty or equivocate");
        if (TestByzantine.Length > 0 && Environment.GetEnvironmentVariable(TestByzantineVariable) != TestByzantine)
            throw new NodeSettingException($"Node:{Section}:{nameof(TestByzantine)}", TestByzantine,
                $"empty: a test-only Byzantine behaviour needs the environment variable {TestByzantineVariable}={TestByzantine} as well");
    }

    /// <summary>The driver's settings for chain <paramref name="chainId"/>, with blocks paced by <paramref name="heartbeatMs"/>.</summary>
    public DriverOptions ToDriverOptions(ulong chainId, long heartbeatMs) => new(chainId,
        new TimeoutSchedule(
            TimeSpan.FromMilliseconds(TimeoutProposeMs), TimeSpan.FromMilliseconds(TimeoutProposeDeltaMs),
            TimeSpan.FromMilliseconds(TimeoutPrevoteMs), TimeSpan.FromMilliseconds(TimeoutPrevoteDeltaMs),
            TimeSpan.FromMilliseconds(TimeoutPrecommitMs), TimeSpan.FromMilliseconds(TimeoutPrecommitDeltaMs), TimeoutGrowthRounds),
        TimeSpan.FromMilliseconds(MaxClockDriftMs), TimeSpan.FromMilliseconds(GossipIntervalMs), TimeSpan.FromMilliseconds(heartbeatMs))
    {
        Equivocate = TestByzantine == "equivocate",
    };

    private static void Require(int value, int min, int max, string name)
    {
        if (value < min || value > max) throw new NodeSettingException($"Node:{Section}:{name}", value, $"an integer in [{min}, {max}]");
    }
}
