using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Consensus.Driver;

/// <summary>The driver's settings; each is checked here, so a bad value fails at start, naming itself.</summary>
public sealed class DriverOptions
{
    public DriverOptions(ulong chainId, TimeoutSchedule? timeouts = null, TimeSpan? maxClockDrift = null, TimeSpan? gossipInterval = null, TimeSpan? heartbeat = null)
    {
        if (chainId == 0) throw new ArgumentOutOfRangeException(nameof(chainId), chainId, "chainId must be > 0");
        ChainId = chainId;
        Timeouts = timeouts ?? TimeoutSchedule.Default;
        MaxClockDrift = maxClockDrift ?? TimeSpan.FromSeconds(5);
        if (MaxClockDrift < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxClockDrift), MaxClockDrift, "maxClockDrift must be ≥ 0");
        GossipInterval = gossipInterval ?? TimeSpan.FromSeconds(1);
        if (GossipInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(gossipInterval), GossipInterval, "gossipInterval must be > 0");
        if (heartbeat <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(heartbeat), heartbeat, "heartbeat must be > 0");
        Heartbeat = heartbeat;
    }

    /// <summary>The chain id of the EIP-712 domain every vote and proposal is signed on.</summary>
    public ulong ChainId { get; }

    public TimeoutSchedule Timeouts { get; }

    /// <summary>
    /// BFT time: a fresh proposal whose block time is more than this ahead of the local clock is not timely, and this
    /// node prevotes nil on it (docs/consensus.md). Default 5 s.
    /// </summary>
    public TimeSpan MaxClockDrift { get; }

    /// <summary>
    /// How often the driver checks for progress; when none was made since the last check it sends its own messages of
    /// the height again (delivery is best effort, Tendermint needs eventual delivery). Default 1 s.
    /// </summary>
    public TimeSpan GossipInterval { get; }

    /// <summary>
    /// Block pacing. Null (the paper, the simulation): each height starts as soon as the one before is stored. Set (a
    /// node): after a commit the next height starts at once only when transactions wait; otherwise when the heartbeat
    /// has passed since the last block's time (so BFT time keeps moving on an idle chain), when transactions arrive, or
    /// when a peer shows it has started that height.
    /// </summary>
    public TimeSpan? Heartbeat { get; }

    /// <summary>
    /// Test only: beside each vote, sign and send a conflicting one (a Byzantine validator; TendermintDriver.Byzantine).
    /// A node sets it only from Node:Consensus:TestByzantine with the P2PE_TEST_BYZANTINE variable (ConsensusOptions).
    /// </summary>
    public bool Equivocate { get; init; }
}
